import { defineCommand } from '../src/chat/command';
import type { Reply } from '../src/chat/reply';
import { IsoDate } from '../src/model/paper';
import { addDays } from '../src/model/dates';
import { rank } from '../src/rank/rank';
import { formatListDate, freshnessNote } from './kit/freshness';

const PERIOD_DAYS = { day: 1, week: 7, month: 30 } as const;

/**
 * The best papers of the day, week or month ending at the latest list (or at `date`), as one list
 * message: by upvotes within the period, as Hugging Face's own week and month views order them, ties
 * by recency. No half-life: inside a month, decaying votes would put a 52-upvote paper above a
 * 283-upvote one listed three weeks earlier.
 */
export const top = defineCommand({
  name: 'top',
  description: 'Best papers of the day, week or month ending at the latest list',
  options: [
    { name: 'period', description: 'day, week or month (default week)', type: 'string', choices: ['day', 'week', 'month'], positional: true },
    { name: 'limit', description: 'how many papers, 1 to 10 (default 10)', type: 'integer', min: 1, max: 10 },
    {
      name: 'date',
      description: 'the last list day of the period, YYYY-MM-DD (default the latest)',
      type: 'string',
      schema: IsoDate.refine((d) => !Number.isNaN(Date.parse(d)), 'date must be a real day as YYYY-MM-DD, e.g. 2025-10-14'),
    },
  ],
  async run(inv, svc): Promise<Reply> {
    const { period = 'week', limit = 10, date } = inv.args;
    const now = svc.now();
    const end = await svc.store.papers.latestListDate(date);
    if (!end) {
      const text = date ? `No Daily Papers list on or before ${date} in the store.` : 'No Daily Papers list in the store yet.';
      return { blocks: [{ kind: 'text', text }], visibility: 'public', fallback: text };
    }
    const start = addDays(end, 1 - PERIOD_DAYS[period]);
    const ranked = rank(await svc.store.papers.listedBetween(start, end), { now, limit, halfLifeDays: Infinity });
    const span = start === end ? formatListDate(end) : `${formatListDate(start)} to ${formatListDate(end)}`;
    const freshness = freshnessNote(svc.sourceStatus(), now);
    const header = `Top ${ranked.length} of the ${period} (${span}).`;
    return {
      blocks: [
        { kind: 'text', text: [header, ...(freshness ? [freshness] : [])].join('\n') },
        { kind: 'papers', items: ranked.map((r) => ({ rank: r.rank, paper: r.paper, reason: r.reason })), picker: 'save' },
      ],
      visibility: 'public',
      fallback: `${header} ${ranked.map((r) => `${r.rank}. ${r.paper.title}`).join(' ')}`,
    };
  },
});
