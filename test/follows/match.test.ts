import { describe, expect, it } from 'vitest';
import { createFollowIndex, followsMatching } from '../../src/follows/match';
import { describeFollow, followReason, parseFollow, type Follow } from '../../src/follows/follow';
import { UserError } from '../../src/errors';
import { realPapers } from '../schedule/harness';
import type { Paper } from '../../src/model/paper';

const paper = (id: string): Paper => realPapers.find((p) => p.id === id)!;
const topic = (value: string): Follow => ({ kind: 'topic', value });
const author = (value: string): Follow => ({ kind: 'author', value });
const org = (value: string): Follow => ({ kind: 'org', value });

/** Ids of the real 2025-10-14 papers a follow matches. */
function matchIds(follow: Follow): string[] {
  return realPapers.filter((p) => followsMatching(p, [follow]).length > 0).map((p) => p.id);
}

describe('matching follows against papers', () => {
  it('a topic matches its words in order in the title, abstract or keywords, plural or not, and nothing else', () => {
    // "Diffusion Transformers with Representation Autoencoders", "Graph Diffusion Transformers are …".
    expect(matchIds(topic('diffusion transformer'))).toEqual(expect.arrayContaining(['2510.11690', '2510.08744']));
    for (const id of matchIds(topic('diffusion transformer'))) {
      const text = [paper(id).title, paper(id).summary, ...paper(id).keywords].join(' ').toLowerCase();
      expect(text).toMatch(/diffusion transformers?/);
    }
    // The same words apart or reversed are not the phrase.
    expect(matchIds(topic('transformer diffusion'))).toEqual([]);
    // Keywords count: QeRL lists "NVFP4 quantization".
    expect(matchIds(topic('NVFP4 Quantization'))).toEqual(['2510.11696']);
  });

  it('ignores case and accents, in topics and in names', () => {
    expect(matchIds(author('dilek hakkani-tur'))).toEqual(['2510.07841']);
    expect(matchIds(author('Tamas Bisztray'))).toEqual(['2510.10493']);
    expect(matchIds(topic('RÉINFORCEMENT LEARNING'))).toEqual(matchIds(topic('reinforcement learning')));
    expect(matchIds(topic('reinforcement learning')).length).toBeGreaterThan(3);
  });

  it('an initial matches any given name it starts, both ways; a different given name does not', () => {
    // "Chenyan Xiong" is an author of RePro (2510.10681).
    expect(matchIds(author('Chenyan Xiong'))).toEqual(['2510.10681']);
    expect(matchIds(author('C. Xiong'))).toEqual(['2510.10681']);
    expect(matchIds(author('Xiong'))).toContain('2510.10681');
    expect(matchIds(author('Chenxi Xiong'))).toEqual([]);
    expect(matchIds(author('D. Xiong'))).toEqual([]);
    const listedWithInitial: Paper = { ...paper('2510.10681'), authors: ['Z. Yu', 'C. Xiong'] };
    expect(followsMatching(listedWithInitial, [author('Chenyan Xiong')])).toEqual([author('Chenyan Xiong')]);
  });

  it('an organization matches its words in the paper’s organization; an arXiv category one of its categories', () => {
    expect(matchIds(org('nvidia'))).toEqual(['2510.11696']);
    expect(matchIds(org('Nanjing University'))).toEqual(['2510.10689']);
    expect(matchIds(org('University Nanjing'))).toEqual([]);
    const fromArxiv: Paper = { ...paper('2510.11696'), categories: ['cs.LG', 'cs.AI'] };
    expect(
      followsMatching(fromArxiv, [
        { kind: 'arxiv', value: 'cs.AI' },
        { kind: 'arxiv', value: 'cs.CL' },
      ]),
    ).toEqual([{ kind: 'arxiv', value: 'cs.AI' }]);
  });

  it('matches a list against many people at once, each with the follows of theirs that matched', () => {
    const index = createFollowIndex<string>();
    index.add('ada', [topic('Diffusion transformers'), org('NVIDIA')]);
    index.add('bob', [topic('diffusion transformer'), author('S. Tong')]);
    index.add('cy', [topic('quantum chromodynamics')]);
    expect(index.entries).toBe(4);
    const matches = index.match(realPapers);
    expect(matches.has('cy')).toBe(false);
    expect(matches.get('ada')!.map((m) => m.paper.id)).toEqual(['2510.11696', '2510.11690', '2510.08744']);
    const rae = matches.get('bob')!.find((m) => m.paper.id === '2510.11690')!;
    expect(followReason(rae.follows)).toBe('follows: diffusion transformer; author S. Tong');
  });

  it('a whole list’s follows (checked from the paper’s words) match exactly what each person’s own few (checked one by one) match', () => {
    const arxiv = (value: string): Follow => ({ kind: 'arxiv', value });
    // Each person follows things of two real papers, as typed by people: phrases, names with initials, organizations, categories.
    const people = realPapers.map((p, i) => {
      const next = realPapers[(i + 1) % realPapers.length]!;
      const [given, ...rest] = (p.authors[0] ?? 'Nobody Here').split(' ');
      return [
        topic(p.title.split(/\s+/).slice(1, 3).join(' ')),
        ...(p.keywords[0] ? [topic(p.keywords[0])] : []),
        author(`${given![0]}. ${rest.join(' ')}`),
        author(next.authors.at(-1) ?? 'Nobody Here'),
        ...(next.organization ? [org(next.organization)] : []),
        ...(next.categories?.[0] ? [arxiv(next.categories[0])] : []),
        topic('diffusion'),
      ];
    });
    const shared = createFollowIndex<number>();
    for (const [i, follows] of people.entries()) shared.add(i, follows);
    // Enough other follows that the shared index has more entries than a paper has distinct words.
    for (let n = 0; n < 3000; n++) shared.add(-1, [topic(`unheard ${n}`)]);
    const together = shared.match(realPapers);
    let matched = 0;
    people.forEach((follows, i) => {
      const own = createFollowIndex<number>();
      own.add(i, follows);
      const alone = own.match(realPapers).get(i) ?? [];
      const sorted = (ms: typeof alone) => ms.map((m) => [m.paper.id, m.follows.map(describeFollow).sort()]);
      expect(sorted(together.get(i) ?? [])).toEqual(sorted(alone));
      matched += alone.length;
    });
    // Not vacuous: most people match several papers.
    expect(matched).toBeGreaterThan(realPapers.length * 2);
  });

  it("one person's follows that a paper matches are all of them, in the order they were given", () => {
    const follows = [author('S. Tong'), topic('quantum chromodynamics'), topic('diffusion transformer')];
    expect(followsMatching(paper('2510.11690'), follows)).toEqual([author('S. Tong'), topic('diffusion transformer')]);
    // The same paper object again: its folded facts are reused, and the answer is the same.
    expect(followsMatching(paper('2510.11690'), follows.slice(1))).toEqual([topic('diffusion transformer')]);
  });
});

describe('parsing a follow', () => {
  it('keeps what was typed, canonicalizes arXiv categories, and refuses empty, long or bad ones', () => {
    expect(parseFollow('topic', '  world   models ')).toEqual(topic('world models'));
    expect(parseFollow('arxiv', 'cs.cl')).toEqual({ kind: 'arxiv', value: 'cs.CL' });
    expect(describeFollow(parseFollow('author', 'Saining Xie'))).toBe('author Saining Xie');
    expect(() => parseFollow('topic', '')).toThrow(new UserError('Say what to follow, e.g. /papers follow diffusion models.'));
    expect(() => parseFollow('topic', '!!! ???')).toThrow(UserError);
    expect(() => parseFollow('topic', 'x'.repeat(101))).toThrow(/at most 100/);
    expect(() => parseFollow('arxiv', 'cs.LG cs.CL')).toThrow(/one arXiv category at a time/);
    expect(() => parseFollow('arxiv', 'nonsense!')).toThrow(/not an arXiv category/);
  });
});
