import { z } from 'zod';
import { defineCommand } from '../src/chat/command';
import type { Reply } from '../src/chat/reply';

const MAX_RESULTS = 10;

/** Papers in the store whose title and abstract contain all the words. */
export const search = defineCommand({
  name: 'search',
  description: 'Find papers in the store by words in their title and abstract',
  options: [
    {
      name: 'query',
      description: 'the words to look for, e.g. video diffusion',
      type: 'string',
      required: true,
      rest: true,
      schema: z.string().max(200, 'query must be at most 200 characters'),
    },
  ],
  async run(inv, svc): Promise<Reply> {
    const { query } = inv.args;
    const papers = await svc.store.search.find(query, MAX_RESULTS);
    if (papers.length === 0) {
      const text = `No papers in the store match "${query}". The store holds the Daily Papers lists the bot has fetched; try fewer or other words.`;
      return { blocks: [{ kind: 'text', text }], visibility: 'public', fallback: text };
    }
    const header = `${papers.length === MAX_RESULTS ? `First ${MAX_RESULTS}` : papers.length} paper${papers.length === 1 ? '' : 's'} matching "${query}":`;
    const items = papers.map((paper, i) => ({
      rank: i + 1,
      paper,
      reason: [`${paper.upvotes} upvotes`, paper.listedOn ? `listed ${paper.listedOn}` : `published ${paper.publishedAt}`].join(' · '),
    }));
    return {
      blocks: [
        { kind: 'text', text: header },
        { kind: 'papers', items, picker: 'save' },
      ],
      visibility: 'public',
      fallback: `${header} ${items.map((i) => `${i.rank}. ${i.paper.title}`).join(' ')}`,
    };
  },
});
