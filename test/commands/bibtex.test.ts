import { describe, expect, it } from 'vitest';
import { escapeBibtex, toBibtex } from '../../commands/kit/bibtex';
import { bundledPapers } from './services';

const qerl = bundledPapers()[0]!;

describe('toBibtex', () => {
  it('writes the @misc form arXiv suggests', () => {
    const bib = toBibtex([qerl]);
    expect(bib).toMatch(/^@misc\{\w+2025qerl,\n/);
    expect(bib).toContain(`  title         = {{QeRL: Beyond Efficiency -- Quantization-enhanced Reinforcement Learning for LLMs}},`);
    expect(bib).toContain(`  author        = {${qerl.authors.join(' and ')}},`);
    expect(bib).toContain('  year          = {2025},');
    expect(bib.trimEnd().endsWith('}')).toBe(true);
  });

  it('escapes braces and LaTeX specials in untrusted titles so they cannot end the field', () => {
    expect(escapeBibtex('50% of {x} & y_1 $ # ~ ^ \\')).toBe('50\\% of \\{x\\} \\& y\\_1 \\$ \\# \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
    const bib = toBibtex([{ ...qerl, title: 'Evil}, note = {pwned' }]);
    expect(bib).toContain('title         = {{Evil\\}, note = \\{pwned}}');
  });

  it('keeps citation keys unique and names an organization when there are no authors', () => {
    const bib = toBibtex([qerl, qerl, { ...qerl, id: 'x', arxivId: null, authors: [], organization: 'Moonshot AI', url: 'https://example.org/x' }]);
    const keys = [...bib.matchAll(/^@misc\{([^,]+),/gm)].map((m) => m[1]);
    expect(new Set(keys).size).toBe(3);
    expect(bib).toContain('author = {{Moonshot AI}}');
    expect(bib).toContain('url    = {https://example.org/x}');
  });
});
