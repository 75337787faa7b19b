import { defineCommand, type Services } from '../src/chat/command';
import type { Reply } from '../src/chat/reply';
import type { Paper } from '../src/model/paper';
import { similarPapers } from '../src/search/similar';
import { PAPER_ID_OPTION, findNamedPaper } from './kit/named-paper';

const MAX_RESULTS = 5;

/** The papers in the store nearest to one paper, as a list with a Save picker: `/papers similar`, and the Similar button (privately). */
export async function similarReply(svc: Services, target: Paper, visibility: Reply['visibility']): Promise<Reply> {
  const near = await similarPapers(svc.store, target, MAX_RESULTS);
  if (near.length === 0) {
    const text = `No paper in the store shares enough words with "${target.title}".`;
    return { blocks: [{ kind: 'text', text }], visibility, fallback: text };
  }
  const header = `Papers like "${target.title}":`;
  const items = near.map((s, i) => ({ rank: i + 1, paper: s.paper, reason: `shares: ${s.shares.join(', ')}` }));
  return {
    blocks: [
      { kind: 'text', text: header },
      { kind: 'papers', items, picker: 'save' },
    ],
    visibility,
    fallback: `${header} ${items.map((i) => `${i.rank}. ${i.paper.title}`).join(' ')}`,
  };
}

/** The papers in the store most like one paper by their most distinctive words (src/search/similar). */
export const similar = defineCommand({
  name: 'similar',
  description: 'Papers in the store most like one paper, by arXiv id or link',
  options: [PAPER_ID_OPTION],
  async run(inv, svc): Promise<Reply> {
    return similarReply(svc, await findNamedPaper(svc.store, inv.args.id), 'public');
  },
});
