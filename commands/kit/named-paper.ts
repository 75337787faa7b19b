import type { OptionSpec } from '../../src/chat/command';
import type { Paper } from '../../src/model/paper';
import type { Store } from '../../src/store/types';
import { normalizeArxivId } from '../../src/model/ids';
import { UserError } from '../../src/errors';

/**
 * A paper the user named by arXiv id, arxiv.org or huggingface.co/papers link, or (for papers
 * without an arXiv id) the store's own id. UserError when it is not an id or not in the store.
 */
export async function findNamedPaper(store: Store, name: string): Promise<Paper> {
  const arxivId = normalizeArxivId(name);
  const paper = await store.papers.get(arxivId ?? name);
  if (paper) return paper;
  if (arxivId) throw new UserError(`Paper ${arxivId} is not in the store (it holds the Daily Papers lists the bot has fetched). Try /papers search <words>.`);
  throw new UserError(`"${name}" is not an arXiv id or paper link. Try an id like 2510.08673 or a link like https://arxiv.org/abs/2510.08673.`);
}

/** The option of the commands that take one paper, named as findNamedPaper reads it. */
export const PAPER_ID_OPTION = {
  name: 'id',
  description: 'an arXiv id (2510.08673) or a link to the paper',
  type: 'string',
  required: true,
  positional: true,
} as const satisfies OptionSpec;
