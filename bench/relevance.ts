/**
 * Relevance over the real papers of the fixtures (test/fixtures), on each store kind:
 * - search by own title: the place each paper takes when its own title is the query (1 is right);
 * - similar precision@5: of the 5 papers `/papers similar` gives for a paper, how many share a topic
 *   with it, by the hand-made labels of bench/relevance-labels.tsv (provenance in its header).
 * Quality, not speed: these figures must not get worse when the search engine changes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { similarPapers } from '../src/search/similar';
import type { Paper } from '../src/model/paper';
import type { Store } from '../src/store/types';
import { allFixturePapers } from '../test/helpers/fixture-papers';
import { openTestStore, storeKinds } from '../test/helpers/stores';
import { median } from './stats';

const LABELS = fileURLToPath(new URL('./relevance-labels.tsv', import.meta.url));
const K = 5;
/** How far down a title search looks for the paper before calling it not found. */
const DEPTH = 50;

function readLabels(): Map<string, Set<string>> {
  const labels = new Map<string, Set<string>>();
  for (const line of readFileSync(LABELS, 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [id, topics] = line.split('\t');
    labels.set(id!, new Set(topics!.split(',')));
  }
  return labels;
}

const related = (labels: Map<string, Set<string>>, a: string, b: string) => [...(labels.get(a) ?? [])].some((t) => labels.get(b)?.has(t));

/** Each paper's place when searched by its own title (DEPTH + 1 when not among the first DEPTH). */
async function titlePlaces(store: Store, papers: Paper[]): Promise<{ paper: Paper; place: number }[]> {
  const out: { paper: Paper; place: number }[] = [];
  for (const paper of papers) {
    const found = (await store.search.find(paper.title, DEPTH)).findIndex((p) => p.id === paper.id);
    out.push({ paper, place: found < 0 ? DEPTH + 1 : found + 1 });
  }
  return out;
}

/** Mean precision@K of similar, over the papers that have at least K related others. */
async function similarPrecision(store: Store, papers: Paper[], labels: Map<string, Set<string>>): Promise<{ queries: number; precision: number }> {
  const queries = papers.filter((p) => papers.filter((o) => o.id !== p.id && related(labels, p.id, o.id)).length >= K);
  let sum = 0;
  for (const paper of queries) {
    const near = await similarPapers(store, paper, K);
    sum += near.filter((s) => related(labels, paper.id, s.paper.id)).length / K;
  }
  return { queries: queries.length, precision: sum / Math.max(queries.length, 1) };
}

export async function run(): Promise<string[]> {
  const papers = allFixturePapers();
  const labels = readLabels();
  const unlabelled = papers.filter((p) => !labels.has(p.id));
  if (unlabelled.length > 0) throw new Error(`no topic label for ${unlabelled.map((p) => p.id).join(', ')}: add them to bench/relevance-labels.tsv`);
  const lines = [`corpus: the ${papers.length} real papers of test/fixtures; topic labels from bench/relevance-labels.tsv`];
  for (const kind of storeKinds) {
    const t = await openTestStore(kind);
    try {
      await t.store.papers.upsert(papers, new Date('2026-12-06T00:00:00Z'));
      const places = await titlePlaces(t.store, papers);
      const first = places.filter((p) => p.place === 1).length;
      const missed = places.filter((p) => p.place > 1).map((p) => `"${p.paper.title.slice(0, 50)}" ${p.place > DEPTH ? `not in top ${DEPTH}` : `#${p.place}`}`);
      const sim = await similarPrecision(t.store, papers, labels);
      lines.push(
        `${kind}: search by own title: first for ${first}/${papers.length}, median place ${median(places.map((p) => p.place))}${missed.length ? `; not first: ${missed.join(', ')}` : ''}`,
        `${kind}: similar precision@${K}: ${sim.precision.toFixed(3)} (mean over the ${sim.queries} papers with at least ${K} related others)`,
      );
    } finally {
      await t.cleanup();
    }
  }
  return lines;
}
