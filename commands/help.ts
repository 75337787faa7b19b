import { defineCommand, type CommandSpec } from '../src/chat/command';
import type { Reply } from '../src/chat/reply';
import { describeAccepted } from '../src/chat/option-value';
import { usageOf } from './kit/args';

/** Help for every subcommand, written from the specs so it never drifts from what is accepted. */
export function helpCommand(all: () => CommandSpec[]): CommandSpec {
  return defineCommand({
    name: 'help',
    description: 'What the bot can do',
    visibility: 'private',
    options: [],
    async run(): Promise<Reply> {
      const lines = all().flatMap((spec) => [
        `/papers ${usageOf(spec)}`,
        `    ${spec.description}`,
        ...spec.options.map(
          (o) => `    ${o.name}: ${o.description}${(o.type !== 'string' && o.type !== 'channel') || o.choices ? ` (${describeAccepted(o)})` : ''}`,
        ),
      ]);
      const reactions =
        'Click 🔖 Save on a paper (or pick one from a list’s Save menu) to bookmark it, click it again to undo; Similar, Abstract and Discuss answer only you. ' +
        'React with 🔖 on a paper, or with 1️⃣…🔟 on a list, to bookmark it too; remove the reaction to undo.';
      return {
        blocks: [
          { kind: 'text', text: lines.join('\n') },
          { kind: 'text', text: reactions },
        ],
        visibility: 'private',
        fallback: `Commands: ${all()
          .map((c) => c.name)
          .join(', ')}`,
      };
    },
  });
}
