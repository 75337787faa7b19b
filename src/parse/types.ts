import type { Paper } from '../model/paper';

export type ListingFormat = 'hf-text' | 'hf-api' | 'hf-html' | 'arxiv';
export const LISTING_FORMATS: readonly ListingFormat[] = ['hf-text', 'hf-api', 'hf-html', 'arxiv'];

/** One entry that could not be read: where it is (line or JSON path) and what was wrong. */
export interface EntryError {
  where: string;
  message: string;
}

/** What a format parser returns: every good entry, and every bad one reported. */
export interface ParsedEntries {
  papers: Paper[];
  errors: EntryError[];
}

export interface ParseResult extends ParsedEntries {
  format: ListingFormat;
}
