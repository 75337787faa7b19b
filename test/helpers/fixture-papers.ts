import { readdirSync } from 'node:fs';
import { parseListing } from '../../src/parse/index';
import type { Paper } from '../../src/model/paper';
import { fixturePath, readFixture } from './fixtures';

/** The fixture folders that hold paper listings (the others are platform payloads). */
const LISTING_DIRS = ['hf-api', 'hf-html', 'hf-text', 'arxiv'];
/** The hf-text page names its dates without a year; this is the day it was captured (SOURCES.md). */
const HF_TEXT_TODAY = '2026-04-21';

/**
 * Every real paper in the fixtures, once each (the first listing that holds it wins), in a fixed
 * order: the corpus of the relevance evaluation, the own-title search test and the bench's word
 * source. Listings that hold no paper (an arXiv error answer) are skipped.
 */
export function allFixturePapers(): Paper[] {
  const byId = new Map<string, Paper>();
  for (const dir of LISTING_DIRS) {
    for (const file of readdirSync(fixturePath(dir)).sort()) {
      const text = readFixture(`${dir}/${file}`);
      let papers: Paper[];
      try {
        papers = parseListing(text, { today: HF_TEXT_TODAY }).papers;
      } catch {
        continue;
      }
      for (const p of papers) if (!byId.has(p.id)) byId.set(p.id, p);
    }
  }
  return [...byId.values()];
}
