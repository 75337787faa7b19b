import { z } from 'zod';
import { PERMISSIONS, type CommandSpec } from '../src/chat/command';
import { today } from './today';
import { top } from './top';
import { search } from './search';
import { paper } from './paper';
import { bookmarks } from './bookmarks';
import { subscribe } from './subscribe';
import { unsubscribe } from './unsubscribe';
import { settings } from './settings';
import { foryouCommand } from './foryou';
import { similar } from './similar';
import { helpCommand } from './help';
import { follow, following, unfollow } from './follow';
import { me } from './me';
import { forgetMe } from './forget-me';

/** Discord's limits for command and option names and descriptions, which every platform can live with. */
const name = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'names are lowercase letters, digits and -, at most 32');
const OptionSpecSchema = z.object({
  name,
  description: z.string().min(1).max(100),
  type: z.enum(['string', 'integer', 'boolean', 'channel']),
  channelKinds: z
    .array(z.enum(['text', 'announcement', 'forum']))
    .min(1)
    .optional(),
  required: z.boolean().optional(),
  choices: z.array(z.string().min(1).max(100)).min(1).max(25).optional(),
  min: z.number().int().optional(),
  max: z.number().int().optional(),
  positional: z.boolean().optional(),
  rest: z.boolean().optional(),
  schema: z.custom<z.ZodType>((v) => v instanceof z.ZodType).optional(),
});
const unique = (names: string[]) => new Set(names).size === names.length;
const CommandSpecSchema = z
  .object({
    name,
    description: z.string().min(1).max(100),
    options: z
      .array(OptionSpecSchema)
      .max(25)
      .refine((options) => unique(options.map((o) => o.name)), 'option names must be unique')
      // Discord requires required options before optional ones.
      .refine((options) => options.every((o, i) => !o.required || options.slice(0, i).every((p) => p.required)), 'required options come first'),
    visibility: z.enum(['public', 'private']).optional(),
    requires: z.object({ permission: z.enum(PERMISSIONS), refusal: z.string().min(1) }).optional(),
    changes: z.enum(['channel', 'caller']).optional(),
    run: z.custom<CommandSpec['run']>((v) => typeof v === 'function', 'run must be a function'),
  })
  .refine(
    (spec) => spec.changes !== 'channel' || spec.requires?.permission === 'manage-channel',
    'a command that changes the channel must require manage-channel',
  );

function checked(specs: CommandSpec[]): CommandSpec[] {
  for (const spec of specs) {
    const result = CommandSpecSchema.safeParse(spec);
    if (!result.success) throw new Error(`command spec "${spec.name}" is invalid: ${result.error.issues[0]!.message}`);
  }
  if (!unique(specs.map((s) => s.name))) throw new Error('command names must be unique');
  return specs;
}

/** Every /papers subcommand. Adding one means adding its module here; adapters pick it up from the spec. */
export const commands: CommandSpec[] = checked([
  today,
  top,
  search,
  paper,
  bookmarks,
  subscribe,
  unsubscribe,
  settings,
  foryouCommand,
  similar,
  follow,
  following,
  unfollow,
  me,
  forgetMe,
  helpCommand(() => commands),
]);

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name.toLowerCase());
}
