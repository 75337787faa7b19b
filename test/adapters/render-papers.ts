import type { Paper } from '../../src/model/paper';

/**
 * A paper with every field the renderers show set to a distinct value, so an exact expectation
 * tells each field's place apart; tests override what they look at. No parser, no store: the
 * render tests import only the renderer under test and the reply model (fast under Stryker).
 */
export function paper(over: Partial<Paper> = {}): Paper {
  return {
    id: '2510.11696',
    arxivId: '2510.11696',
    title: 'QeRL: Beyond Efficiency',
    summary: 'We propose QeRL.',
    aiSummary: null,
    authors: ['Ada Lovelace', 'Alan Turing'],
    authorCount: 2,
    organization: null,
    publishedAt: '2025-10-13',
    listedOn: '2025-10-14',
    upvotes: 75,
    url: 'https://huggingface.co/papers/2510.11696',
    pdfUrl: 'https://arxiv.org/pdf/2510.11696v2',
    githubUrl: 'https://github.com/a/qerl',
    keywords: ['rl', 'quantization'],
    thumbnailUrl: 'https://cdn.example/qerl.png',
    source: 'hf-api',
    ...over,
  };
}

/** A second paper, unlike the first in every field shown. */
export function other(over: Partial<Paper> = {}): Paper {
  return paper({
    id: '2510.11690',
    arxivId: '2510.11690',
    title: 'Diffusion Transformers',
    summary: 'Representation autoencoders.',
    authors: [],
    authorCount: null,
    organization: 'NYU',
    publishedAt: '2025-10-12',
    listedOn: null,
    upvotes: 9,
    url: null,
    pdfUrl: null,
    githubUrl: null,
    thumbnailUrl: null,
    ...over,
  });
}
