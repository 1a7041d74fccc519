import { describe, expect, it } from 'vitest';
import { compareOutput, lineMatches, outputDiff } from '../../../scripts/docs/compare.ts';

describe('lineMatches', () => {
  it('compares lines without placeholders exactly', () => {
    expect(lineMatches('exit 0', 'exit 0')).toBe(true);
    expect(lineMatches('exit 0', 'exit 3')).toBe(false);
    expect(lineMatches('a.b', 'axb')).toBe(false); // regex characters are literal
  });

  it('lets … stand for any text within one line', () => {
    expect(lineMatches('Serving iris on …', 'Serving iris on http://127.0.0.1:8080')).toBe(true);
    expect(lineMatches('a … b', 'a  b')).toBe(true);
    expect(lineMatches('Serving iris on …', 'Serving churn on http://x')).toBe(false);
  });

  it.each([
    ['<port>', 'http://127.0.0.1:<port>/', 'http://127.0.0.1:49152/', 'http://127.0.0.1:abc/'],
    ['<path>', 'Created <path> from template', 'Created /tmp/onramp-docs-x1/work/iris-endpoint from template', 'Created iris-endpoint from template'],
    ['<duration>', 'took <duration>', 'took 12.5 ms', 'took soon'],
    ['<number>', 'bucket{le="0.01"} <number>', 'bucket{le="0.01"} 17', 'bucket{le="0.01"} many'],
    ['<version>', 'ramp <version>', 'ramp 0.1.0-rc.1', 'ramp latest'],
    ['<timestamp>', 'at <timestamp>', 'at 2026-11-01T10:00:00.123Z', 'at yesterday'],
  ])('%s matches only what it names', (_name, expected, good, bad) => {
    expect(lineMatches(expected, good)).toBe(true);
    expect(lineMatches(expected, bad)).toBe(false);
  });

  it('keeps the rest of a line with a placeholder exact', () => {
    expect(lineMatches('exit <number>', 'exit: 3')).toBe(false);
    expect(lineMatches('port <port>', 'port 8080 ')).toBe(false); // trailing spaces are trimmed by compareOutput, not here
  });
});

describe('compareOutput', () => {
  it('ignores trailing spaces and trailing blank lines, nothing else', () => {
    expect(compareOutput('a\nb', 'a  \nb\n\n').ok).toBe(true);
    expect(compareOutput('a\nb', '\na\nb').ok).toBe(false);
    expect(compareOutput('a\nb', 'a\r\nb\r\n').ok).toBe(true);
  });

  it('lets a line holding only … stand for any number of lines, none included', () => {
    expect(compareOutput('Model x\n…\nSafety ok', 'Model x\nA\nB\nC\nSafety ok').ok).toBe(true);
    expect(compareOutput('Model x\n…\nSafety ok', 'Model x\nSafety ok').ok).toBe(true);
    expect(compareOutput('…', '').ok).toBe(true);
    expect(compareOutput('Model x\n…\nSafety ok', 'Model x\nA\nSafety bad').ok).toBe(false);
  });

  it('does not loosen the comparison: every other line must be there, in order', () => {
    expect(compareOutput('a\n…\nb', 'b\na').ok).toBe(false);
    expect(compareOutput('a\nb', 'a').ok).toBe(false);
    expect(compareOutput('a', 'a\nb').ok).toBe(false);
  });

  it('rewrites the actual output in the page\'s terms: placeholders kept where they still match', () => {
    const c = compareOutput('Serving iris on http://127.0.0.1:<port>\n…\nexit 0', 'Serving iris on http://127.0.0.1:8080\nmiddle\nmore\nexit 3');
    expect(c.ok).toBe(false);
    expect(c.rewritten).toBe('Serving iris on http://127.0.0.1:<port>\n…\nexit 3');
    const ok = compareOutput('x <number>', 'x 5');
    expect(ok.rewritten).toBe(ok.expected);
  });

  it('ends a … as early as it can, so a difference after it shows as its own line', () => {
    const c = compareOutput('Model x\n…\nClasses 3', 'Model x\nTask c\nClasses 3\nSafety ok');
    expect(c.rewritten).toBe('Model x\n…\nClasses 3\nSafety ok');
  });
});

describe('outputDiff', () => {
  it('is a unified diff from the shown output to the actual one', () => {
    const d = outputDiff(compareOutput('exit 0', 'exit 3'), 'page.mdx:12 (shown)');
    expect(d).toContain('--- page.mdx:12 (shown)');
    expect(d).toContain('+++ actual output');
    expect(d).toContain('-exit 0');
    expect(d).toContain('+exit 3');
  });
});
