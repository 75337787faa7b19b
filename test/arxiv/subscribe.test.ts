import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../commands/kit/dispatch';
import { parseCommandText } from '../../commands/kit/text';
import { readSubscriptionsFile } from '../../src/schedule/config-file';
import { invocation, testServices } from '../commands/services';
import { textOf } from '../commands/reply-text';
import { ADAPTERS } from '../../adapters/index';

/** The platforms a subscriptions file may name: the adapters' ids. */
const PLATFORMS = ADAPTERS.map((a) => a.id);

let t: Awaited<ReturnType<typeof testServices>>;
beforeEach(async () => void (t = await testServices()));
afterEach(async () => t.cleanup());

const subscription = () => t.svc.store.subscriptions.get('console:general');
/** Runs a command typed as Slack or console text. */
const typed = (text: string) => {
  const { command, args } = parseCommandText(text);
  return dispatch(invocation(command, args), t.svc);
};

describe('subscribe arxiv', () => {
  it('sets, shows, keeps and clears the channel’s arXiv categories', async () => {
    const reply = await typed('subscribe arxiv cs.LG,cs.cl');
    expect(reply.visibility).toBe('public');
    expect(textOf(reply)).toContain('arXiv categories: cs.LG, cs.CL');
    expect((await subscription())!.arxiv).toEqual(['cs.LG', 'cs.CL']);

    await typed('subscribe top 3');
    expect((await subscription())!.arxiv).toEqual(['cs.LG', 'cs.CL']);
    expect(textOf(await typed('settings'))).toContain('arXiv categories: cs.LG, cs.CL');

    await typed('subscribe arxiv cs.AI, stat.ML');
    expect((await subscription())!.arxiv).toEqual(['cs.AI', 'stat.ML']);
    await typed('subscribe arxiv -');
    expect((await subscription())!.arxiv).toEqual([]);
    await typed('subscribe arxiv cs.AI');
    await dispatch(invocation('subscribe', { arxiv: 'none' }), t.svc);
    expect((await subscription())!.arxiv).toEqual([]);
    expect(textOf(await typed('settings'))).toContain('arXiv categories: none');
  });

  it('refuses a bad category with an example, and stores nothing', async () => {
    const reply = await typed('subscribe arxiv cs.LG,machine-learning!');
    expect(reply.visibility).toBe('private');
    expect(textOf(reply)).toBe(
      'arxiv: "machine-learning!" is not an arXiv category: use names like cs.LG or hep-th separated by commas, e.g. "cs.LG,cs.CL"; none clears',
    );
    expect(await subscription()).toBeNull();
  });

  it('warns that a minimum of upvotes leaves out arXiv papers, which have none', async () => {
    expect(textOf(await typed('subscribe arxiv cs.AI'))).not.toContain('no upvotes');
    expect(textOf(await typed('subscribe min-upvotes 5'))).toContain(
      'arXiv papers have no upvotes, so minimum upvotes 5 leaves them all out; set min-upvotes 0 to get them.',
    );
  });
});

describe('arxiv in the subscriptions file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'papers-arxiv-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (text: string) => {
    const f = path.join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, text);
    return f;
  };
  const entry = 'subscriptions:\n  - platform: slack\n    channel: C1\n    time: "09:00"\n    tz: UTC\n';

  it('reads a list or a comma string, none when absent', () => {
    expect(readSubscriptionsFile(file(`${entry}    arxiv: [cs.LG, stat.ml]\n`), PLATFORMS)[0]!.arxiv).toEqual(['cs.LG', 'stat.ML']);
    expect(readSubscriptionsFile(file(`${entry}    arxiv: "cs.CL, cs.AI"\n`), PLATFORMS)[0]!.arxiv).toEqual(['cs.CL', 'cs.AI']);
    expect(readSubscriptionsFile(file(entry), PLATFORMS)[0]!.arxiv).toEqual([]);
  });

  it('names the file, line and key of a bad category', () => {
    const f = file(`${entry}    arxiv: [cs.LG, "cs.AI OR 1=1"]\n`);
    expect(() => readSubscriptionsFile(f, PLATFORMS)).toThrow(`${f}:6:12: subscriptions[0]: arxiv: "OR" is not an arXiv category`);
  });
});
