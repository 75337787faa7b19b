import { describe, expect, it } from 'vitest';
import { normalizeArxivId, slugify } from '../../src/model/ids';

describe('normalizeArxivId', () => {
  it.each([
    ['2212.06336', '2212.06336'],
    ['2212.06336v2', '2212.06336'],
    ['arXiv:2212.06336v1', '2212.06336'],
    ['0704.0001', '0704.0001'],
    ['hep-th/9901001', 'hep-th/9901001'],
    ['math.CO/0601001v3', 'math.CO/0601001'],
    ['https://arxiv.org/abs/2212.06336v3', '2212.06336'],
    ['http://arxiv.org/abs/hep-th/9901001v1', 'hep-th/9901001'],
    ['https://arxiv.org/pdf/2212.06336v1.pdf', '2212.06336'],
    ['https://export.arxiv.org/abs/2212.06336', '2212.06336'],
    ['https://huggingface.co/papers/2510.11696', '2510.11696'],
    ['https://huggingface.co/papers/2510.11696?x=1#c', '2510.11696'],
    [' 2510.11696 ', '2510.11696'],
  ])('%s → %s', (input, id) => {
    expect(normalizeArxivId(input)).toBe(id);
  });

  it.each(['', 'abc', '2212.063', '12345.67890', 'https://example.com/abs/2212.06336', 'https://arxiv.org/api/errors#incorrect_id_format_for_abc'])(
    'rejects %j',
    (input) => {
      expect(normalizeArxivId(input)).toBeNull();
    },
  );
});

describe('slugify', () => {
  it('makes a stable readable id from a title', () => {
    expect(slugify('Attention, Please! Revisiting Attentive Probing')).toBe('attention-please-revisiting-attentive-probing');
    expect(slugify('Über Café')).toBe('uber-cafe');
    expect(slugify('x'.repeat(100))).toHaveLength(80);
  });

  it('never returns an empty id', () => {
    expect(slugify('注意力机制')).toMatch(/^paper-[0-9a-f]{12}$/);
    expect(slugify('注意力机制')).toBe(slugify('注意力机制'));
  });
});
