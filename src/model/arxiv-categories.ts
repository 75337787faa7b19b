import { ARXIV_CATEGORY } from '../config/schema';
import { UserError } from '../errors';

const MAX_CATEGORIES = 20;
const EXAMPLE = 'e.g. "cs.LG,cs.CL"';

/**
 * arXiv spells two-letter subject classes in capitals (`cs.LG`, `math.AG`, `astro-ph.CO`) and longer
 * ones in lower case (`cond-mat.str-el`), and matches them exactly, so `cs.lg` becomes `cs.LG`.
 */
function canonicalCategory(name: string): string {
  const [archive, subject] = name.split('.');
  if (subject === undefined) return name;
  return `${archive}.${subject.length === 2 ? subject.toUpperCase() : subject.toLowerCase()}`;
}

/**
 * A channel's arXiv categories as a person types them: `cs.LG, cs.CL` → ['cs.LG', 'cs.CL'];
 * `-`, `none` or nothing clears them. Duplicates are dropped. Throws UserError naming the bad entry,
 * with an example.
 */
export function parseArxivCategories(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '-' || trimmed.toLowerCase() === 'none') return [];
  const categories: string[] = [];
  for (const raw of trimmed.split(/[\s,]+/)) {
    if (raw === '') continue;
    if (!ARXIV_CATEGORY.test(raw))
      throw new UserError(`"${raw.slice(0, 40)}" is not an arXiv category: use names like cs.LG or hep-th separated by commas, ${EXAMPLE}; none clears`);
    const category = canonicalCategory(raw);
    if (!categories.includes(category)) categories.push(category);
  }
  if (categories.length > MAX_CATEGORIES) throw new UserError(`at most ${MAX_CATEGORIES} arXiv categories, got ${categories.length}`);
  return categories;
}
