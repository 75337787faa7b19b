import type { Invocation, Services } from '../../src/chat/command';
import type { Reply } from '../../src/chat/reply';
import { textReply } from '../../src/chat/reply';
import { UserError } from '../../src/errors';
import { commands, findCommand } from '../index';
import { validateArgs } from './args';
import { requirePermission } from './permissions';
import { withPauseNote } from './pause-note';

/**
 * Runs one invocation: finds the subcommand, validates and coerces its arguments against the spec,
 * runs it. Never throws: a UserError becomes a private reply with its message, anything else is
 * logged and answered with a generic private line (never a stack trace in chat).
 * A caller without the permission the spec requires is refused before its arguments are checked.
 */
export async function dispatch(inv: Invocation, svc: Services): Promise<Reply> {
  try {
    const spec = findCommand(inv.command);
    if (!spec) throw new UserError(`Unknown command "${inv.command}". Commands: ${commands.map((c) => c.name).join(', ')}.`);
    requirePermission(spec, inv);
    const args = validateArgs(spec, inv.args);
    return await withPauseNote(await spec.run({ ...inv, command: spec.name, args }, svc), inv, svc);
  } catch (err) {
    if (err instanceof UserError) return withPauseNote(textReply(err.message), inv, svc);
    svc.log.error({ err, command: inv.command, platform: inv.platform, channel: inv.channel.id }, 'command failed');
    return textReply(`Sorry, /papers ${inv.command} failed unexpectedly. The error was logged; please try again later.`);
  }
}
