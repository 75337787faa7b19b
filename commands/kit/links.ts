import type { Paper } from '../../src/model/paper';

/** The links a paper message offers, in a fixed order; every renderer shows the same ones. */
export function paperLinks(paper: Paper): { label: string; url: string }[] {
  const links: { label: string; url: string }[] = [];
  const hf = paper.arxivId ? `https://huggingface.co/papers/${paper.arxivId}` : paper.url;
  if (hf) links.push({ label: 'Hugging Face', url: hf });
  if (paper.arxivId) links.push({ label: 'arXiv', url: `https://arxiv.org/abs/${paper.arxivId}` });
  const pdf = paper.pdfUrl ?? (paper.arxivId ? `https://arxiv.org/pdf/${paper.arxivId}` : null);
  if (pdf) links.push({ label: 'PDF', url: pdf });
  if (paper.githubUrl) links.push({ label: 'Code', url: paper.githubUrl });
  return links;
}
