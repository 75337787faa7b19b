import { createHash } from 'node:crypto';

// New-style ids (`2212.06336`, 4+4 digits until 2014, 4+5 since) and old-style (`hep-th/9901001`,
// `math.CO/0601001`), each optionally versioned.
const NEW_ID = /^(\d{4}\.\d{4,5})(?:v\d+)?$/;
const OLD_ID = /^([a-z][a-z-]*(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?$/;
const URL_PATH = /^(?:https?:\/\/)?(?:www\.|export\.)?(?:arxiv\.org\/(?:abs|pdf|html)|huggingface\.co\/papers)\/(.+?)(?:\.pdf)?\/?(?:[?#].*)?$/i;

/**
 * The arXiv id without version, from an id (`2212.06336v2`, `arXiv:2212.06336`, `hep-th/9901001`)
 * or an arxiv.org abs/pdf or huggingface.co/papers URL. Null when the input is none of these.
 */
export function normalizeArxivId(input: string): string | null {
  let s = input.trim();
  const fromUrl = URL_PATH.exec(s);
  if (fromUrl) s = fromUrl[1]!;
  s = s.replace(/^arxiv:/i, '');
  return NEW_ID.exec(s)?.[1] ?? OLD_ID.exec(s)?.[1] ?? null;
}

/**
 * A stable id for a paper without an arXiv id: its title in lowercase ASCII words joined by `-`.
 * Titles with no Latin letters or digits (e.g. only CJK) get a short hash so the id is never empty.
 */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return slug || `paper-${createHash('sha256').update(title).digest('hex').slice(0, 12)}`;
}
