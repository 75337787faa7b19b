import type { CommandSpec, Invocation, Permission } from '../../src/chat/command';
import { UserError } from '../../src/errors';
import { targetChannel } from './channel';

/** Whether the caller holds a permission, as the adapter found out: on the channel the command acts on. */
const HOLDS: Record<Permission, (inv: Invocation) => boolean> = {
  'manage-channel': (inv) => targetChannel(inv).canManage,
};

/** Refuses (UserError, its spec's words) a caller without the permission the command requires. */
export function requirePermission(spec: CommandSpec, inv: Invocation): void {
  if (spec.requires && !HOLDS[spec.requires.permission](inv)) throw new UserError(spec.requires.refusal);
}
