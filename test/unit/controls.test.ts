import { describe, expect, it } from 'vitest';
import { controlId, parseControlId } from '../../src/chat/controls';
import { messageControls, PAPER_CONTROLS, type Block } from '../../src/chat/reply';
import { bundledPapers } from '../commands/services';

const [a, b] = bundledPapers();

describe('control ids', () => {
  it('say version, action and paper, and read back as the same', () => {
    expect(controlId('save', '2510.11696')).toBe('p1:save:2510.11696');
    expect(controlId('save')).toBe('p1:save');
    expect(parseControlId('p1:discuss:2510.11696')).toEqual({ kind: 'current', action: 'discuss', paperId: '2510.11696' });
    expect(parseControlId('p1:save')).toEqual({ kind: 'current', action: 'save', paperId: null });
  });

  it('fit Discord’s 100 characters, or are not drawn', () => {
    expect(controlId('abstract', 'x'.repeat(80))!.length).toBeLessThanOrEqual(100);
    expect(controlId('abstract', 'x'.repeat(81))).toBeNull();
    expect(controlId('save', '')).toBeNull();
  });

  it('read another version, or an action this one lacks, as expired, keeping the paper they name', () => {
    expect(parseControlId('p0:save:2510.11696')).toEqual({ kind: 'expired', paperId: '2510.11696' });
    expect(parseControlId('p2:save')).toEqual({ kind: 'expired', paperId: null });
    expect(parseControlId('p1:star:2510.11696')).toEqual({ kind: 'expired', paperId: '2510.11696' });
  });

  it('are not the bot’s without the prefix', () => {
    for (const id of ['save:2510.11696', 'papers_open_pdf_2510.11696', 'p:save', 'px:save', '', 'p1:SAVE']) expect(parseControlId(id)).toBeNull();
  });
});

describe('messageControls', () => {
  const paper = (controls = PAPER_CONTROLS, p = a!): Block => ({ kind: 'paper', paper: p, controls });

  it('gives a message of one paper its buttons', () => {
    expect(messageControls([{ kind: 'text', text: 'x' }, paper()])).toEqual({ kind: 'buttons', paper: a, controls: PAPER_CONTROLS });
  });

  it('gives a message of several papers one Save picker over them, in order', () => {
    expect(messageControls([paper(), paper(PAPER_CONTROLS, b!)])).toEqual({ kind: 'picker', papers: [a, b] });
    expect(
      messageControls([
        {
          kind: 'papers',
          items: [
            { rank: 1, paper: b!, reason: '' },
            { rank: 2, paper: a!, reason: '' },
          ],
          picker: 'save',
        },
      ]),
    ).toEqual({
      kind: 'picker',
      papers: [b, a],
    });
  });

  it('gives none where nothing offers a control', () => {
    expect(messageControls([{ kind: 'paper', paper: a! }])).toBeNull();
    expect(
      messageControls([
        {
          kind: 'papers',
          items: [
            { rank: 1, paper: a!, reason: '' },
            { rank: 2, paper: b!, reason: '' },
          ],
        },
      ]),
    ).toBeNull();
    expect(messageControls([{ kind: 'abstract', paper: a! }])).toBeNull();
  });
});
