import type { CommandSpec, Invocation, Permission } from '../../src/chat/command';
import { UserError } from '../../src/errors';

/** Whether the caller holds a permission, as the adapter found out. */
const HOLDS: Record<Permission, (inv: Invocation) => boolean> = {
  'manage-channel': (inv) => inv.canManageChannel,
};

/** Refuses (UserError, its spec's words) a caller without the permission the command requires. */
export function requirePermission(spec: CommandSpec, inv: Invocation): void {
  if (spec.requires && !HOLDS[spec.requires.permission](inv)) throw new UserError(spec.requires.refusal);
}
