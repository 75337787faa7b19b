import { decodeTerms } from './document';
import { TermIndex } from './term-index';

/** A paper's stored term counts (src/search/document encodeTerms) and the revision that wrote them. */
export interface TermRow {
  id: string;
  terms: string;
  revision: number;
}

/** Where reading left off: rows after this (revision, then id) are new to the index. */
export interface IndexCursor {
  revision: number;
  id: string;
}

/** The store's rows after the cursor, in (revision, id) order, at most `limit`. */
export type ReadTermsAfter = (after: IndexCursor, limit: number) => Promise<TermRow[]>;

const PAGE = 5_000;

/**
 * This process's TermIndex, kept in step with the store. Every write that changes a paper's terms
 * stamps the papers it writes with the next revision, and writers take revisions one at a time in
 * commit order (see src/store/repositories/papers.ts, upsert), so "everything after the last
 * (revision, id) read" is exactly what this process has not seen: papers written by any replica, no
 * gaps, no repeats.
 */
export class SyncedIndex {
  readonly #index = new TermIndex();
  #cursor: IndexCursor = { revision: 0, id: '' };
  #running: Promise<void> | null = null;
  #queued: Promise<void> | null = null;

  constructor(private readonly read: ReadTermsAfter) {}

  /** The index with every change committed before this call (one cheap query when nothing changed). */
  async current(): Promise<TermIndex> {
    await this.#sync();
    return this.#index;
  }

  /**
   * One catch-up at a time. A caller arriving during one waits for the next, since the running one
   * may already have read past what that caller just wrote; all such callers share that next one.
   */
  #sync(): Promise<void> {
    if (!this.#running) {
      this.#running = this.#catchUp().finally(() => {
        this.#running = null;
      });
      return this.#running;
    }
    this.#queued ??= this.#running
      .catch(() => {})
      .then(() => {
        this.#queued = null;
        return this.#sync();
      });
    return this.#queued;
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      const rows = await this.read(this.#cursor, PAGE);
      for (const row of rows) this.#index.put(row.id, decodeTerms(row.terms));
      const last = rows[rows.length - 1];
      if (last) this.#cursor = { revision: last.revision, id: last.id };
      if (rows.length < PAGE) return;
    }
  }
}
