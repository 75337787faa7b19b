import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../commands/kit/dispatch';
import { invocation, testServices } from './services';
import { paperIdsOf, textOf } from './reply-text';

let t: Awaited<ReturnType<typeof testServices>>;
beforeEach(async () => void (t = await testServices()));
afterEach(async () => t.cleanup());

describe('search', () => {
  it('finds papers by words of their title and abstract, as one numbered list', async () => {
    const reply = await dispatch(invocation('search', { query: 'quantization reinforcement' }), t.svc);
    expect(paperIdsOf(reply)).toContain('2510.11696');
    expect(textOf(reply)).toMatch(/matching "quantization reinforcement"/);
  });

  it('says when nothing matches', async () => {
    expect(textOf(await dispatch(invocation('search', { query: 'zzzqqq' }), t.svc))).toMatch(/^No papers in the store match "zzzqqq"/);
  });

  it.each([
    [{}, 'search needs query: the words to look for, e.g. video diffusion'],
    [{ query: '   ' }, 'query must be some text (got "   ")'],
    [{ query: 'x'.repeat(201) }, 'query must be at most 200 characters'],
  ])('refuses %o', async (args, message) => {
    expect(textOf(await dispatch(invocation('search', args), t.svc))).toBe(message);
  });
});

describe('paper', () => {
  it.each(['2510.11696', 'arXiv:2510.11696v2', 'https://arxiv.org/abs/2510.11696v1', 'https://huggingface.co/papers/2510.11696'])(
    'shows one paper in full for %s',
    async (id) => {
      const reply = await dispatch(invocation('paper', { id }), t.svc);
      const block = reply.blocks[0];
      expect(block?.kind).toBe('paper');
      expect(block?.kind === 'paper' && block.paper.title).toMatch(/^QeRL/);
      expect(reply.fallback).toMatch(/^QeRL/);
    },
  );

  it.each([
    [{ id: '2501.00001' }, 'Paper 2501.00001 is not in the store (it holds the Daily Papers lists the bot has fetched). Try /papers search <words>.'],
    [{ id: 'hello' }, '"hello" is not an arXiv id or paper link. Try an id like 2510.08673 or a link like https://arxiv.org/abs/2510.08673.'],
    [{}, 'paper needs id: an arXiv id (2510.08673) or a link to the paper'],
  ])('refuses %o', async (args, message) => {
    const reply = await dispatch(invocation('paper', args), t.svc);
    expect(reply.visibility).toBe('private');
    expect(textOf(reply)).toBe(message);
  });
});
