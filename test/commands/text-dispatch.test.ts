import { describe, expect, it, vi } from 'vitest';
import { parseCommandText } from '../../commands/kit/text';
import { commands, findCommand } from '../../commands/index';
import { dispatch } from '../../commands/kit/dispatch';
import { UserError } from '../../src/errors';
import { invocation, testServices } from './services';
import { textOf } from './reply-text';

describe('parseCommandText', () => {
  it.each([
    ['subscribe time 09:00 tz Europe/Berlin top 5', { command: 'subscribe', args: { time: '09:00', tz: 'Europe/Berlin', top: '5' } }],
    ['subscribe topics llm, vision, -robotics min-upvotes 2', { command: 'subscribe', args: { topics: 'llm,vision,-robotics', 'min-upvotes': '2' } }],
    ['search memorize test time', { command: 'search', args: { query: 'memorize test time' } }],
    ['bookmarks export bibtex', { command: 'bookmarks', args: { action: 'export', format: 'bibtex' } }],
    ['bookmarks remove 2', { command: 'bookmarks', args: { action: 'remove', item: '2' } }],
    ['bookmarks', { command: 'bookmarks', args: {} }],
    ['top week limit 3', { command: 'top', args: { period: 'week', limit: '3' } }],
    ['paper https://arxiv.org/abs/2510.11696', { command: 'paper', args: { id: 'https://arxiv.org/abs/2510.11696' } }],
    ['TODAY', { command: 'today', args: {} }],
    ['', { command: 'help', args: {} }],
    ['search "time zone" bugs', { command: 'search', args: { query: 'time zone bugs' } }],
  ])('%s', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });

  it.each([
    ['frobnicate', `Unknown command "frobnicate". Commands: ${commands.map((c) => c.name).join(', ')}.`],
    [
      'subscribe time',
      'time needs a value: when to post, HH:MM (default 09:00). Usage: subscribe [in #channel] [time <time>] [tz <tz>] [every day|weekday|week] [day mon|tue|wed|thu|fri|sat|sun] [top <top>] [topics <topics>] [min-upvotes <min-upvotes>] [rank popular|balanced|channel] [arxiv <arxiv>] [threads on|off] [publish on|off]',
    ],
    ['today please', 'Unexpected "please" for today. Usage: today'],
    ['top week month', 'Unexpected "month" for top. Usage: top [day|week|month] [limit <limit>] [date <date>]'],
    ['top year', 'period must be one of day, week, month (got "year")'],
  ])('refuses %s', (text, message) => {
    expect(() => parseCommandText(text)).toThrow(new UserError(message));
  });
});

describe('command specs', () => {
  it('are found by name, case-insensitively', () => {
    expect(findCommand('Today')?.name).toBe('today');
    expect(findCommand('nope')).toBeUndefined();
    expect(commands.map((c) => c.name)).toEqual(
      expect.arrayContaining(['today', 'top', 'search', 'paper', 'bookmarks', 'subscribe', 'unsubscribe', 'settings', 'help']),
    );
    expect(commands.at(-1)?.name).toBe('help');
  });
});

describe('dispatch', () => {
  it('answers an unknown command with the list of commands', async () => {
    const t = await testServices({ papers: [] });
    try {
      const reply = await dispatch(invocation('frobnicate'), t.svc);
      expect(reply).toMatchObject({ visibility: 'private' });
      expect(textOf(reply)).toBe(`Unknown command "frobnicate". Commands: ${commands.map((c) => c.name).join(', ')}.`);
    } finally {
      await t.cleanup();
    }
  });

  it('logs an unexpected failure and answers with a generic private line, never the error', async () => {
    const t = await testServices({ papers: [] });
    await t.cleanup(); // the store is closed: every query fails
    const reply = await dispatch(invocation('today'), t.svc);
    expect(reply.visibility).toBe('private');
    expect(textOf(reply)).toBe('Sorry, /papers today failed unexpectedly. The error was logged; please try again later.');
  });

  it('refuses, privately and without running it, a command whose required permission the caller lacks', async () => {
    const t = await testServices({ papers: [] });
    const guarded = commands.filter((c) => c.requires?.permission === 'manage-channel');
    expect(guarded.length).toBeGreaterThan(0);
    try {
      for (const spec of guarded) {
        const run = vi.spyOn(spec, 'run');
        const refused = await dispatch(invocation(spec.name, {}, { canManageChannel: false }), t.svc);
        expect(refused.visibility).toBe('private');
        expect(textOf(refused)).toBe(spec.requires!.refusal);
        expect(run, spec.name).not.toHaveBeenCalled();
        await dispatch(invocation(spec.name, {}, { canManageChannel: true }), t.svc);
        expect(run, spec.name).toHaveBeenCalledOnce();
        run.mockRestore();
      }
    } finally {
      await t.cleanup();
    }
  });
});

describe('help', () => {
  it('is written from the specs: every command, option and accepted value', async () => {
    const t = await testServices({ papers: [] });
    try {
      const text = textOf(await dispatch(invocation('help'), t.svc));
      for (const spec of commands) expect(text).toContain(`/papers ${spec.name}`);
      expect(text).toContain(
        '/papers subscribe [in #channel] [time <time>] [tz <tz>] [every day|weekday|week] [day mon|tue|wed|thu|fri|sat|sun] [top <top>] [topics <topics>] [min-upvotes <min-upvotes>]',
      );
      expect(text).toContain('top: papers per post, 1 to 10 (default 5) (a whole number from 1 to 10)');
      expect(text).toContain('/papers bookmarks [list|remove|export] [<item>] [bibtex|markdown]');
      expect(text).toContain('React with 🔖');
    } finally {
      await t.cleanup();
    }
  });
});
