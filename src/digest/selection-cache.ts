import type { Store } from '../store/types';
import { DEFAULT_SETTINGS, RANKING_FIELDS } from '../subscriptions/settings';
import { selectDigest, type DigestSelection, type DigestSettings } from './select';

/** A channel's selection and the size of the list it comes from. */
export interface LatestSelection extends DigestSelection {
  /** Papers on the list of `listDate` (0 without one). */
  listSize: number;
}

/** Distinct settings kept per revision; a revision holds few (most channels keep the defaults). */
const MAX_ENTRIES = 1_000;

interface Generation {
  /** The papers revision and UTC day the entries were computed for. */
  stamp: string;
  entries: Map<string, Promise<LatestSelection>>;
}

const generations = new WeakMap<Store, Generation>();

/**
 * selectDigest of the latest list, computed once per (settings, papers revision, UTC day) and
 * shared by every request that asks the same: `/papers today` costs one small read (the revision)
 * instead of two queries, a merge and a ranking. The revision moves with every paper write by any
 * replica, so an answer is never staler than the revision read under way when it was asked; the
 * day is part of the key because ages ("listed 1 day ago") and "today" are counted in whole UTC
 * days. Concurrent first requests share one computation.
 *
 * The `channel` ranking also depends on the channel's bookmarks, which the revision does not
 * follow, so it is computed every time.
 */
export async function latestSelection(store: Store, settings: DigestSettings, now: Date): Promise<LatestSelection> {
  if ((settings.rank ?? DEFAULT_SETTINGS.rank) === 'channel') return compute(store, settings, now);
  const stamp = `${await currentRevision(store)} ${now.toISOString().slice(0, 10)}`;
  let generation = generations.get(store);
  if (generation?.stamp !== stamp) {
    generation = { stamp, entries: new Map() };
    generations.set(store, generation);
  }
  const key = settingsKey(settings);
  const cached = generation.entries.get(key);
  if (cached) return cached;
  if (generation.entries.size >= MAX_ENTRIES) generation.entries.delete(generation.entries.keys().next().value!);
  const entries = generation.entries;
  const selection = compute(store, settings, now);
  entries.set(key, selection);
  // A failed read is not remembered: the next request tries again.
  selection.catch(() => entries.delete(key));
  return selection;
}

const revisionReads = new WeakMap<Store, Promise<number>>();

/**
 * The papers revision, read once for everyone who asks while a read is in flight: a burst of
 * `/papers today` asks at once, and queued behind each other on SQLite's one connection, 200 reads
 * would all answer the same. A caller may get a read that began just before it asked: a write
 * landing in between shows from the next request on.
 */
function currentRevision(store: Store): Promise<number> {
  let read = revisionReads.get(store);
  if (!read) {
    read = store.papers.revision().finally(() => revisionReads.delete(store));
    revisionReads.set(store, read);
  }
  return read;
}

/**
 * What the ranking reads of the settings: those declared `ranks` (src/subscriptions/settings.ts),
 * absent ones at their default. Channels with the same ones share an entry. DigestSettings holds
 * no other setting, so the ranking cannot read one the key leaves out.
 */
export function settingsKey(s: DigestSettings): string {
  return JSON.stringify(RANKING_FIELDS.map((field) => s[field] ?? DEFAULT_SETTINGS[field]));
}

async function compute(store: Store, settings: DigestSettings, now: Date): Promise<LatestSelection> {
  const selection = await selectDigest(store, settings, { now });
  const listSize = selection.listDate ? (await store.papers.listedBetween(selection.listDate, selection.listDate)).length : 0;
  return { ...selection, listSize };
}
