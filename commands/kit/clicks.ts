import type { ClickEvent } from '../../src/chat/click';
import type { Services } from '../../src/chat/command';
import { parseControlId } from '../../src/chat/controls';
import { textReply, type Reply } from '../../src/chat/reply';
import type { ClickPlatform } from '../../src/chat/runtime';
import { openThreadOnce } from '../../src/chat/threads';
import { abstractMessage } from '../../src/digest/messages';
import { UserError, errorMessage } from '../../src/errors';
import type { Paper } from '../../src/model/paper';
import type { PostRecord } from '../../src/store/types';
import { similarReply } from '../similar';

export interface ClickResult {
  reply: Reply;
  /** The clicker's own data (bookmarks) changed. */
  changed: boolean;
}

const answer = (reply: Reply, changed = false): ClickResult => ({ reply, changed });

/**
 * What a click on one of the bot's controls does, for every platform: Save toggles the clicker's
 * bookmark, Remove takes it out, Similar and Abstract answer with the paper's neighbours and its
 * abstract, Discuss opens the message's thread once. The clicker is always the platform's user of
 * the event; the control only names an action and a paper, so a forged one can change nothing but
 * the clicker's own bookmarks. Never throws: a UserError is the answer, anything else is logged.
 */
export async function handleClick(ev: ClickEvent, svc: Services, platform: ClickPlatform): Promise<ClickResult> {
  try {
    return await act(ev, svc, platform);
  } catch (err) {
    if (err instanceof UserError) return answer(textReply(err.message));
    svc.log.error({ err: errorMessage(err), platform: ev.platform, control: ev.control }, 'click failed');
    return answer(textReply('Sorry, that did not work: the error was logged. Please try again later.'));
  }
}

async function act(ev: ClickEvent, svc: Services, platform: ClickPlatform): Promise<ClickResult> {
  const control = parseControlId(ev.control);
  if (!control) throw new UserError('That control is not one of the bot’s; nothing was done.');
  if (control.kind === 'expired') return answer(await expired(svc, control.paperId));
  const findPost = (): Promise<PostRecord | null> =>
    platform.findPost?.(ev) ?? (ev.channelId && ev.messageId ? svc.store.posts.find(ev.platform, ev.channelId, ev.messageId) : Promise.resolve(null));
  const paper = await clickedPaper(ev, control.paperId, svc, findPost);
  const title = `"${paper.title}"`;
  const who = { platform: ev.platform, userId: ev.userId };

  switch (control.action) {
    case 'save': {
      const added = await svc.store.bookmarks.add({ ...who, paperId: paper.id, messageId: ev.messageId, at: svc.now() });
      if (added) return answer(textReply(`Saved ${title} to your bookmarks. Click Save again to take it out; /papers bookmarks lists them.`), true);
      await svc.store.bookmarks.remove(who.platform, who.userId, paper.id);
      return answer(textReply(`Removed ${title} from your bookmarks.`), true);
    }
    case 'remove': {
      const removed = await svc.store.bookmarks.remove(who.platform, who.userId, paper.id);
      return answer(textReply(removed ? `Removed ${title} from your bookmarks.` : `${title} is not in your bookmarks.`), removed);
    }
    case 'similar':
      return answer(await similarReply(svc, paper, 'private'));
    case 'abstract':
      return answer(abstractMessage(paper, 'private'));
    case 'discuss':
      return answer(await discuss(ev, svc, platform, paper, findPost));
  }
}

/** The paper a click means: the control's, a picker's choice, or the message's n-th (or only) paper. */
async function clickedPaper(ev: ClickEvent, controlPaper: string | null, svc: Services, findPost: () => Promise<PostRecord | null>): Promise<Paper> {
  let paperId = controlPaper ?? ev.value ?? null;
  if (paperId === null) {
    const post = await findPost();
    if (!post || post.paperIds.length === 0) throw new UserError('That message carries no paper of the bot’s; nothing was done.');
    const n = ev.entry ?? (post.paperIds.length === 1 ? 1 : null);
    if (n === null) throw new UserError(`That message lists ${post.paperIds.length} papers; say which, e.g. click ${ev.messageId} save 1.`);
    paperId = post.paperIds[n - 1] ?? null;
    if (paperId === null)
      throw new UserError(`That message lists ${post.paperIds.length} paper${post.paperIds.length === 1 ? '' : 's'}; there is no number ${n}.`);
  }
  const paper = await svc.store.papers.get(paperId);
  if (!paper) throw new UserError('That paper is no longer in the store; nothing was done.');
  return paper;
}

/** Discuss: the message's one thread, opened by whichever click (or daily post) claims it first. */
async function discuss(ev: ClickEvent, svc: Services, platform: ClickPlatform, paper: Paper, findPost: () => Promise<PostRecord | null>): Promise<Reply> {
  if (!platform.threads || !ev.channelId || !ev.messageId) throw new UserError('Discussion threads cannot be opened here.');
  const post = await findPost();
  // A thread is named after the one paper its message shows; a control naming another paper is refused.
  if (post?.paperIds.length !== 1 || post.paperIds[0] !== paper.id)
    throw new UserError('A discussion thread opens on a message of that one paper; nothing was done. /papers paper shows it on its own.');
  const site = { platform: ev.platform, workspaceId: ev.workspaceId, channelId: post.channelId, messageId: post.messageId };
  const outcome = await openThreadOnce(svc.store, platform.threads, site, paper, { now: svc.now, waitForWinner: true });
  const title = `"${paper.title}"`;
  if (outcome.state === 'opened') return textReply(`Opened a discussion thread on ${title}.`);
  if (outcome.state === 'exists') return textReply(`${title} already has its discussion thread on that message.`);
  return textReply(`The discussion thread on ${title} is being opened right now.`);
}

/** A control drawn by another version of the bot: said so, with where the paper is now. */
async function expired(svc: Services, paperId: string | null): Promise<Reply> {
  const paper = paperId ? await svc.store.papers.get(paperId) : null;
  const where = paper ? `/papers paper ${paper.arxivId ?? paper.id} shows "${paper.title}" with buttons that work.` : 'Use /papers today for fresh ones.';
  return textReply(`That button is from an older version of the bot and has expired. ${where}`);
}
