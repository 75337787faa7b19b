import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dispatch } from '../../commands/kit/dispatch';
import { parseCommandText } from '../../commands/kit/text';
import type { Invocation, Services, SourceStatus } from '../../src/chat/command';
import type { Reply } from '../../src/chat/reply';
import type { Paper } from '../../src/model/paper';
import { loadBotConfig } from '../../adapters/index';
import { createLogger } from '../../src/log';
import { parseListing } from '../../src/parse/index';
import { openTestStore } from '../helpers/stores';
import { repoRoot } from '../helpers/fixtures';

/** The real list the bot bundles (2025-10-14, 39 papers, sorted by upvotes). */
export function bundledPapers(): Paper[] {
  const file = path.join(repoRoot, 'src/sources/bundled/hf-daily-papers-2025-10-14.json');
  return parseListing(readFileSync(file, 'utf8'), { format: 'hf-api' }).papers;
}

export const NOW = new Date('2025-10-16T10:00:00Z');

/** Services over a fresh SQLite store holding the bundled list; sourceStatus can be changed per test. */
export async function testServices(opts: { papers?: Paper[] } = {}) {
  const db = await openTestStore('sqlite');
  await db.store.papers.upsert(opts.papers ?? bundledPapers(), NOW);
  let status: SourceStatus = { lastSuccessAt: NOW, lastError: null, note: null };
  const svc: Services = {
    store: db.store,
    config: loadBotConfig({}, repoRoot),
    log: createLogger({ level: 'silent' }),
    now: () => NOW,
    sourceStatus: () => status,
  };
  return {
    svc,
    setStatus: (s: SourceStatus) => void (status = s),
    cleanup: db.cleanup,
  };
}

export function invocation(command: string, args: Invocation['args'] = {}, over: Partial<Invocation> = {}): Invocation {
  return {
    platform: 'console',
    command,
    args,
    user: { id: 'ada', name: 'Ada' },
    channel: { id: 'general', isDirect: false },
    canManageChannel: true,
    ...over,
  };
}

/** Runs a command typed as text (Slack, console) through dispatch, as the person `user` (id and name). */
export function typedBy(svc: Services, text: string, user = 'ada'): Promise<Reply> {
  const { command, args } = parseCommandText(text);
  return dispatch(invocation(command, args, { user: { id: user, name: user } }), svc);
}
