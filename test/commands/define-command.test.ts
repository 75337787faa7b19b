import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineCommand, type Services } from '../../src/chat/command';
import { textReply } from '../../src/chat/reply';
import { PAPER_ID_OPTION } from '../../commands/kit/named-paper';
import { SETTING_OPTIONS } from '../../src/subscriptions/settings';
import type { RankMode } from '../../src/rank/modes';
import { invocation } from './services';

/** The type checks run in `tsc --noEmit` (npm test); the assertions below only check that run gets the arguments. */
describe('defineCommand', () => {
  it("types run's arguments from the option specs", async () => {
    const seen: unknown[] = [];
    const probe = defineCommand({
      name: 'probe',
      description: 'typed arguments',
      options: [
        { name: 'word', description: 'required text', type: 'string', required: true },
        { name: 'count', description: 'a whole number', type: 'integer', min: 1 },
        { name: 'flag', description: 'yes or no', type: 'boolean' },
        { name: 'period', description: 'one of two', type: 'string', choices: ['day', 'week'] },
        { name: 'tags', description: 'parsed by its schema', type: 'string', schema: z.string().transform((s) => s.split(',')) },
        PAPER_ID_OPTION,
      ],
      async run(inv) {
        expectTypeOf(inv.args.word).toEqualTypeOf<string>();
        expectTypeOf(inv.args.count).toEqualTypeOf<number | undefined>();
        expectTypeOf(inv.args.flag).toEqualTypeOf<boolean | undefined>();
        expectTypeOf(inv.args.period).toEqualTypeOf<'day' | 'week' | undefined>();
        expectTypeOf(inv.args.tags).toEqualTypeOf<string[] | undefined>();
        expectTypeOf(inv.args.id).toEqualTypeOf<string>();
        // Wrong uses, for the type checker only.
        const misuse = () => {
          // @ts-expect-error an optional argument may be absent
          inv.args.count.toFixed();
          // @ts-expect-error a choice is one of its choices, not any text
          const other: NonNullable<typeof inv.args.period> = 'month';
          // @ts-expect-error there is no such option
          return [inv.args.nope, other];
        };
        seen.push(inv.args, misuse);
        return textReply('ok');
      },
    });
    await probe.run(invocation('probe', { word: 'w', id: '2510.11696' }), {} as Services);
    expect(seen[0]).toEqual({ word: 'w', id: '2510.11696' });
  });

  it('types the subscribe arguments from the setting declarations', () => {
    defineCommand({
      name: 'settings-probe',
      description: 'typed settings',
      options: SETTING_OPTIONS,
      async run(inv) {
        expectTypeOf(inv.args.time).toEqualTypeOf<string | undefined>();
        expectTypeOf(inv.args['min-upvotes']).toEqualTypeOf<number | undefined>();
        expectTypeOf(inv.args.topics).toEqualTypeOf<string[] | undefined>();
        expectTypeOf(inv.args.rank).toEqualTypeOf<RankMode | undefined>();
        // @ts-expect-error the stored field is minUpvotes; the option is min-upvotes
        void inv.args.minUpvotes;
        return textReply('ok');
      },
    });
  });
});
