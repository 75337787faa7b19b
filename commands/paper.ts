import { defineCommand } from '../src/chat/command';
import { PAPER_CONTROLS, type Reply } from '../src/chat/reply';
import { PAPER_ID_OPTION, findNamedPaper } from './kit/named-paper';

/** One paper in full: abstract, AI summary, authors or organization, links. */
export const paper = defineCommand({
  name: 'paper',
  description: 'One paper in full, by arXiv id or arxiv.org / huggingface.co link',
  options: [PAPER_ID_OPTION],
  async run(inv, svc): Promise<Reply> {
    const found = await findNamedPaper(svc.store, inv.args.id);
    return {
      blocks: [{ kind: 'paper', paper: found, controls: PAPER_CONTROLS }],
      visibility: 'public',
      fallback: `${found.title}${found.url ? ` ${found.url}` : ''}`,
    };
  },
});
