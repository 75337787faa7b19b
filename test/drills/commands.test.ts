import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArgValue, Invocation, Platform, Services } from '../../src/chat/command';
import { papersOf, type Reply } from '../../src/chat/reply';
import { UserError } from '../../src/errors';
import { formatQuery, isEmpty, parseQuery } from '../../src/search/query';
import { commands } from '../../commands/index';
import { dispatch } from '../../commands/kit/dispatch';
import { handleClick } from '../../commands/kit/clicks';
import { TARGET_CHANNEL_OPTION } from '../../commands/kit/channel';
import { parseCommandText } from '../../commands/kit/text';
import { bundledPapers, invocation, testServices } from '../commands/services';
import { openTestStore, storeKinds } from '../helpers/stores';
import { textOf } from '../commands/reply-text';
import { createLogger } from '../../src/log';
import { drillLine } from './report';
import { sqliteFingerprint } from './store-dump';

/**
 * Drills at the command level, the one place every platform's input goes through: fuzzed text and
 * arguments, bookmarks that stay their owner's, channel-changing commands behind canManageChannel,
 * and search text that cannot change what the query does.
 */

/** Text that looks like SQL, FTS or tsquery syntax, markup, mentions, or is just long and strange. */
const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE papers; --",
  '" OR 1=1 --',
  'x") OR ("1"="1',
  '1; DELETE FROM bookmarks',
  'attention UNION SELECT * FROM subscriptions',
  'NEAR(video diffusion, 2)',
  'title:agent*',
  '^video OR -diffusion',
  'video & !diffusion | agent:*',
  "o'reilly's \\ backslash %_ like",
  '<script>alert(1)</script>',
  '<!channel> <@U123> @everyone @here',
  '**bold** `code` ||spoiler|| [link](http://x)',
  '\u0000\u202e\ufeff',
];
const hostileText = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ minLength: 10_000, maxLength: 10_240 }),
  fc.array(fc.constantFrom(...INJECTIONS, 'video', 'agents', '"', 'top', 'time', '09:00', 'tz'), { maxLength: 12 }).map((t) => t.join(' ')),
);

/** Everything a reply shows: its text blocks, files, fallback and the titles of the papers it carries. */
function replyText(r: Reply): string {
  return [textOf(r), r.fallback, ...papersOf(r).map((p) => p.title)].join('\n');
}

function isReply(r: Reply): boolean {
  return Array.isArray(r.blocks) && (r.visibility === 'public' || r.visibility === 'private') && typeof r.fallback === 'string';
}

describe('drill command-fuzz', () => {
  let svc: Services;
  let cleanup: () => Promise<void>;
  /** Log lines of the commands: an unexpected error is answered politely but logged as `command failed`. */
  const logged: string[] = [];
  beforeAll(async () => {
    const t = await testServices();
    svc = { ...t.svc, log: createLogger({ level: 'error', destination: { write: (line: string) => void logged.push(line) } }) };
    cleanup = t.cleanup;
  });
  afterAll(() => cleanup());

  it('text and typed arguments of every command always come back as a Reply; read-only commands change no row', async () => {
    let texts = 0;
    let userErrors = 0;
    let replies = 0;
    const samples = fc.sample(hostileText, { numRuns: 150, seed: 11 });
    for (const spec of commands) {
      for (const sample of samples) {
        // Text form (Slack, console): parse errors are UserErrors for the user, never anything else.
        texts++;
        let parsed: { command: string; args: Record<string, ArgValue> } | null = null;
        try {
          parsed = parseCommandText(`${spec.name} ${sample}`);
        } catch (err) {
          expect(err, `parseCommandText threw ${String(err)}`).toBeInstanceOf(UserError);
          userErrors++;
        }
        if (parsed) {
          const reply = await dispatch(invocation(parsed.command, parsed.args, { canManageChannel: false }), svc);
          expect(isReply(reply)).toBe(true);
          replies++;
        }
        // Typed form (Discord): the sample as every option's value, strings and numbers alike.
        const args = Object.fromEntries(spec.options.map((o, i) => [o.name, i % 2 === 0 ? sample : sample.length]));
        const reply = await dispatch(invocation(spec.name, args, { platform: 'discord', canManageChannel: false }), svc);
        expect(isReply(reply)).toBe(true);
        replies++;
      }
    }
    const unexpected = logged.filter((l) => l.includes('command failed'));
    expect(unexpected, unexpected[0]).toEqual([]);
    drillLine(
      'command-fuzz',
      `${texts} texts and ${commands.length * samples.length} typed argument sets over ${commands.length} commands: ${replies} replies, ${userErrors} text UserErrors, 0 throws, 0 unexpected errors`,
    );
  });

  it('no read-only command, given hostile text, changes any row of the store', async () => {
    const t = await openTestStore('sqlite');
    await t.store.papers.upsert(bundledPapers(), new Date('2025-10-16T10:00:00Z'));
    const readSvc: Services = { ...svc, store: t.store };
    // What a command may change is declared in its spec; the rest must only read.
    const readOnly = commands.filter((c) => c.changes === undefined);
    const before = sqliteFingerprint(t.url);
    let runs = 0;
    for (const sample of fc.sample(hostileText, { numRuns: 60, seed: 12 })) {
      for (const spec of readOnly) {
        const first = spec.options[0];
        const args = first ? { [first.name]: sample } : {};
        await dispatch(invocation(spec.name, args, { canManageChannel: true }), readSvc);
        runs++;
      }
    }
    expect(sqliteFingerprint(t.url)).toBe(before);
    drillLine('command-readonly', `${runs} runs of ${readOnly.length} read-only commands with hostile text, store fingerprint unchanged`);
    await t.cleanup();
  });
});

describe.each(storeKinds)('drill search-injection on %s', (kind) => {
  it('search text acts only as words, "phrases" and -excluded words: engine operators change nothing, nothing is written', async () => {
    const t = await openTestStore(kind);
    await t.store.papers.upsert(bundledPapers(), new Date('2025-10-16T10:00:00Z'));
    const before = kind === 'sqlite' ? sqliteFingerprint(t.url) : null;
    const count = await t.store.papers.count();
    const payloads = [...INJECTIONS, ...INJECTIONS.map((p) => `video ${p}`), ...INJECTIONS.map((p) => `${p} agents`)];
    for (const p of payloads) {
      const got = (await t.store.search.find(p, 50)).map((x) => x.id);
      const query = parseQuery(p);
      const plain = (await t.store.search.find(formatQuery(query), 50)).map((x) => x.id);
      expect(got, `search ${JSON.stringify(p)}`).toEqual(plain);
      // Never "everything": an always-true predicate would return the whole store.
      if (isEmpty(query)) expect(got).toEqual([]);
      else expect(got.length).toBeLessThan(count);
    }
    expect(await t.store.papers.count()).toBe(count);
    if (before) expect(sqliteFingerprint(t.url)).toBe(before);
    drillLine(
      `search-injection-${kind}`,
      `${payloads.length} SQL/FTS/tsquery/markup payloads, each answered exactly as its parsed words, phrases and exclusions, 0 rows changed`,
    );
    await t.cleanup();
  });
});

describe('drill bookmarks-private', () => {
  it('nobody lists, exports or removes another user’s bookmarks, on either platform', async () => {
    const { svc, cleanup } = await testServices();
    const papers = bundledPapers();
    const owner = { id: 'U0OWNER', name: 'Owner' };
    const other = { id: 'U0OTHER', name: 'Other' };
    const platforms: Platform[] = ['discord', 'slack'];
    let attempts = 0;
    for (const platform of platforms) {
      for (const [i, p] of papers.slice(0, 3).entries())
        await svc.store.bookmarks.add({ platform, userId: owner.id, paperId: p.id, messageId: null, at: new Date(Date.UTC(2025, 9, 16, 9, i)) });
    }
    const as = (user: Invocation['user'], platform: Platform, args: Invocation['args']) =>
      dispatch(invocation('bookmarks', args, { platform, user, channel: { id: 'C0SHARED', workspace: 'T0SHARED', isDirect: false } }), svc);
    const ownerTitles = papers.slice(0, 3).map((p) => p.title);

    for (const platform of platforms) {
      const tries: Invocation['args'][] = [
        {},
        { action: 'list' },
        { action: 'export', format: 'bibtex' },
        { action: 'export', format: 'markdown' },
        ...[1, 2, 3].map((n) => ({ action: 'remove', item: String(n) })),
        ...papers.slice(0, 3).flatMap((p) => [
          { action: 'remove', item: p.id },
          { action: 'remove', item: `https://arxiv.org/abs/${p.id}` },
        ]),
      ];
      for (const args of tries) {
        const reply = await as(other, platform, args);
        attempts++;
        const text = replyText(reply);
        const what = `${platform} ${JSON.stringify(args)}`;
        expect(text, what).not.toMatch(/^Removed/);
        // Naming a paper by id may echo its (public) title, but only to say it is not the caller's.
        if (args.action === 'remove' && !/^\d+$/.test(String(args.item))) expect(text, what).toMatch(/is not in your bookmarks/);
        else for (const title of ownerTitles) expect(text, what).not.toContain(title);
        expect(reply.visibility).toBe('private');
      }
      // The same user id on the other platform is someone else too.
      expect(await svc.store.bookmarks.list(platform, other.id)).toEqual([]);
      // Clicks forged for the owner's bookmarks: a Remove (Slack's Home tab) or a Save on them, plain or
      // with the owner's id smuggled in. The clicker is always the event's user: the owner's stay.
      for (const p of papers.slice(0, 3)) {
        for (const control of [`p1:remove:${p.id}`, `p1:remove:${p.id}:${owner.id}`, `p1:save:${p.id}:${owner.id}`, `p0:remove:${p.id}`]) {
          const { reply } = await handleClick(
            { platform, workspaceId: 'T0SHARED', channelId: 'C0SHARED', messageId: null, userId: other.id, control },
            svc,
            {},
          );
          attempts++;
          expect(replyText(reply), `${platform} click ${control}`).not.toMatch(/^Removed/);
          expect(reply.visibility).toBe('private');
        }
      }
      expect(await svc.store.bookmarks.list(platform, other.id)).toEqual([]);
    }
    for (const platform of platforms) {
      expect((await svc.store.bookmarks.list(platform, owner.id)).map((b) => b.paper.id)).toEqual(papers.slice(0, 3).map((p) => p.id));
      const own = replyText(await as(owner, platform, {}));
      for (const title of ownerTitles) expect(own).toContain(title);
    }
    drillLine(
      'bookmarks-private',
      `${attempts} list/export/remove commands and forged Remove/Save clicks on another user's bookmarks (discord, slack): 0 disclosed, 0 removed`,
    );
    await cleanup();
  });
});

describe('drill personal-private', () => {
  it('nobody lists or changes another user’s follows, digest settings or data, on either platform', async () => {
    const { svc, cleanup } = await testServices();
    const owner = { id: 'U0OWNER', name: 'Owner' };
    const other = { id: 'U0OTHER', name: 'Other' };
    const platforms: Platform[] = ['discord', 'slack'];
    const secrets = ['secret protein folding', 'Ada Lovelace', 'Acme Research'];
    const as = (user: Invocation['user'], platform: Platform, command: string, args: Invocation['args'] = {}) =>
      dispatch(invocation(command, args, { platform, user, channel: { id: 'C0SHARED', workspace: 'T0SHARED', isDirect: false } }), svc);
    for (const platform of platforms) {
      await as(owner, platform, 'follow', { what: secrets[0]! });
      await as(owner, platform, 'follow', { kind: 'author', what: secrets[1]! });
      await as(owner, platform, 'follow', { kind: 'org', what: secrets[2]! });
      await as(owner, platform, 'me', { digest: 'weekly', day: 'thu', time: '07:15', tz: 'Asia/Tokyo', alerts: 'on' });
      await svc.store.bookmarks.add({ platform, userId: owner.id, paperId: '2510.11696', messageId: null, at: new Date() });
    }
    const ownerFeed = async (platform: Platform) => JSON.stringify(await svc.store.personal.get(platform, owner.id));
    const feeds = Object.fromEntries(await Promise.all(platforms.map(async (p) => [p, await ownerFeed(p)] as const)));
    let attempts = 0;
    for (const platform of platforms) {
      const tries: [string, Invocation['args']][] = [
        ['following', {}],
        ...['1', '2', '3', 'all', '0', '-1', 'U0OWNER'].map((item): [string, Invocation['args']] => ['unfollow', { item }]),
        // Following the same words is the caller's own follow, never a change to the owner's.
        ['follow', { what: secrets[0]! }],
        ['unfollow', { item: '1' }],
        ['following', {}],
        ['me', {}],
        ['me', { digest: 'off' }],
        ['me', { alerts: 'off' }],
        ['forget-me', {}],
        ['forget-me', { answer: 'confirm' }],
        ['me', {}],
      ];
      for (const [command, args] of tries) {
        const reply = await as(other, platform, command, args);
        attempts++;
        const text = replyText(reply);
        if (!(command === 'follow' || (command === 'unfollow' && text.startsWith('Stopped following secret'))))
          for (const secret of [...secrets, '07:15', 'Asia/Tokyo', 'Thursday'])
            expect(text, `${platform} ${command} ${JSON.stringify(args)}`).not.toContain(secret);
        expect(reply.visibility).toBe('private');
      }
      expect(await svc.store.follows.list(platform, other.id)).toEqual([]);
    }
    for (const platform of platforms) {
      expect((await svc.store.follows.list(platform, owner.id)).map((f) => f.value)).toEqual(secrets);
      expect(await ownerFeed(platform)).toBe(feeds[platform]);
      expect(await svc.store.bookmarks.list(platform, owner.id)).toHaveLength(1);
      const own = replyText(await as(owner, platform, 'me'));
      for (const secret of [...secrets, '07:15 Asia/Tokyo', 'every Thursday']) expect(own).toContain(secret);
    }
    drillLine(
      'personal-private',
      `${attempts} following/unfollow/follow/me/forget-me commands by another user (discord, slack): 0 disclosed, 0 of the owner's follows, settings or bookmarks changed`,
    );
    await cleanup();
  });
});

describe('drill channel-permissions', () => {
  it('every command that changes a channel’s subscription refuses a caller without canManageChannel', async () => {
    const { svc, cleanup } = await testServices();
    const argsFor = (name: string): Invocation['args'][] =>
      name === 'subscribe' ? [{}, { time: '10:00' }, { tz: 'Europe/Berlin', top: 3 }, { topics: 'agents,-robotics', 'min-upvotes': 2 }] : [{}];
    const channel = (platform: Platform) => ({ id: `C-${platform}`, workspace: 'T1', isDirect: false });
    const snapshot = async () => JSON.stringify(await svc.store.subscriptions.list());
    const changing: string[] = [];
    let refusals = 0;
    for (const platform of ['discord', 'slack', 'console'] as Platform[]) {
      for (const spec of commands) {
        for (const args of argsFor(spec.name)) {
          // With an existing subscription (so unsubscribe has something to delete) and without one.
          for (const existing of [false, true]) {
            if (existing) await dispatch(invocation('subscribe', {}, { platform, channel: channel(platform), canManageChannel: true }), svc);
            const before = await snapshot();
            await dispatch(invocation(spec.name, args, { platform, channel: channel(platform), canManageChannel: false }), svc);
            expect(await snapshot(), `${platform} ${spec.name} ${JSON.stringify(args)} without permission`).toBe(before);
            // Allowed: does it change anything? Then it is a channel-changing command.
            await dispatch(invocation(spec.name, args, { platform, channel: channel(platform), canManageChannel: true }), svc);
            if ((await snapshot()) !== before) {
              if (!changing.includes(spec.name)) changing.push(spec.name);
              refusals++;
            }
            for (const sub of await svc.store.subscriptions.list()) await svc.store.subscriptions.delete(sub.id);
          }
        }
      }
    }
    // Exactly the commands that declare they change the channel do, and each requires managing it.
    const declared = commands.filter((c) => c.changes === 'channel');
    expect(changing.sort()).toEqual(declared.map((c) => c.name).sort());
    for (const spec of declared) expect(spec.requires?.permission, spec.name).toBe('manage-channel');

    // Naming another channel (`in`): the right that counts is the caller's in that channel, as the platform resolved it.
    let targetRefusals = 0;
    const target = 'C-TARGET';
    for (const platform of ['discord', 'slack', 'console'] as Platform[]) {
      for (const spec of declared.filter((c) => c.options.some((o) => o.name === TARGET_CHANNEL_OPTION.name))) {
        await dispatch(
          invocation('subscribe', { in: target }, { platform, channel: channel(platform), namedChannels: [{ id: target, canManage: true }] }),
          svc,
        );
        const existing = await snapshot();
        for (const named of [[{ id: target, canManage: false }], [], [{ id: 'C-ELSEWHERE', canManage: true }]]) {
          // May manage the channel typed in, not the one named: refused, nothing changes.
          await dispatch(invocation(spec.name, { in: target }, { platform, channel: channel(platform), canManageChannel: true, namedChannels: named }), svc);
          expect(await snapshot(), `${platform} ${spec.name} in ${JSON.stringify(named)}`).toBe(existing);
          targetRefusals++;
        }
        // May manage the one named and not the one typed in: allowed, and it is the named one that changes.
        await dispatch(
          invocation(
            spec.name,
            { in: target, ...(spec.name === 'subscribe' ? { top: 2 } : {}) },
            { platform, channel: channel(platform), canManageChannel: false, namedChannels: [{ id: target, canManage: true }] },
          ),
          svc,
        );
        expect(await snapshot()).not.toBe(existing);
        expect(await svc.store.subscriptions.get(`${platform}:${channel(platform).id}`)).toBeNull();
        for (const sub of await svc.store.subscriptions.list()) await svc.store.subscriptions.delete(sub.id);
      }
    }
    drillLine(
      'channel-permissions',
      `${commands.length} commands x 3 platforms enumerated; channel-changing: ${changing.join(', ')}; ${refusals} changing invocations refused without permission, ${targetRefusals} naming another channel the caller may not manage refused, 0 changes`,
    );
    await cleanup();
  });
});
