import type { Invocation, Services } from '../../src/chat/command';
import type { Reply } from '../../src/chat/reply';
import { errorMessage } from '../../src/errors';

/**
 * A person whose direct messages the platform refused has their personal digest and alerts paused
 * (src/personal/deliver.ts); the next private answer they get says so, once. Only a private one:
 * a public answer would tell the channel.
 */
export async function withPauseNote(reply: Reply, inv: Pick<Invocation, 'platform' | 'user'>, svc: Services): Promise<Reply> {
  if (reply.visibility !== 'private') return reply;
  let reason: string | null;
  try {
    reason = await svc.store.personal.takePauseNote(inv.platform, inv.user.id);
  } catch (err) {
    // The answer matters more than the note; it is told next time.
    svc.log.warn({ err: errorMessage(err), platform: inv.platform }, 'could not read the personal delivery pause');
    return reply;
  }
  if (!reason) return reply;
  const note = `Your personal digest and alerts are paused: I could not send you a direct message (${reason}). Open your direct messages to the bot, then run /papers me daily (or weekly) to start them again.`;
  return { ...reply, blocks: [...reply.blocks, { kind: 'text', text: note }], fallback: `${reply.fallback} ${note}` };
}
