import { describe, expect, it } from 'vitest';
import { findFences, frontmatterFixtures, parseMeta, parseSessions, rewriteOutputs } from '../../../scripts/docs/sessions.ts';

const page = (body: string, fm = 'title: t') => `---\n${fm}\n---\n\n${body}`;

describe('fence meta', () => {
  it('reads bare words and key=value options, and skips what Expressive Code reads', () => {
    const { flags, options } = parseMeta('session title="a b.txt" timeout=5 {1-3} "mark" /re gex/ ins={4}');
    expect([...flags]).toEqual(['session']);
    expect(options.get('title')).toBe('a b.txt');
    expect(options.get('timeout')).toBe('5');
    expect(options.get('ins')).toBe('{4}');
  });
});

describe('findFences', () => {
  it('finds backtick and tilde fences, longer fences, and strips a list item indentation', () => {
    const text = ['1. step', '', '   ```bash session', '   ramp scan x', '     indented', '   ```', '', '~~~~text', '```', 'inner', '~~~~'].join('\n');
    const f = findFences(text);
    expect(f).toHaveLength(2);
    expect(f[0]).toMatchObject({ line: 3, endLine: 6, indent: '   ', lang: 'bash', meta: 'session', body: ['ramp scan x', '  indented'] });
    expect(f[1]).toMatchObject({ line: 8, lang: 'text', body: ['```', 'inner'] });
  });
});

describe('parseSessions', () => {
  it('pairs a session with the block right after it (blank lines only) as its expected output', () => {
    const s = parseSessions(page('```bash session\nramp inspect iris.pkl\n```\n\n\n```text\nModel  iris.pkl\n```\n'));
    expect(s.blocks).toHaveLength(1);
    expect(s.blocks[0]).toMatchObject({ line: 5, command: 'ramp inspect iris.pkl', code: 'ramp inspect iris.pkl' });
    expect(s.blocks[0]!.expected).toMatchObject({ line: 10, text: 'Model  iris.pkl' });
  });

  it('takes no expected output across prose, from another session, or from an illustration', () => {
    const s = parseSessions(
      page('```sh session\nramp scan a\n```\nSome prose.\n```text\nnot output\n```\n\n```sh session\nramp scan b\n```\n\n```sh session\nramp scan c\n```\n\n```yaml illustration\nk: v\n```\n'),
    );
    expect(s.blocks.map((b) => [b.command, b.expected])).toEqual([
      ['ramp scan a', null],
      ['ramp scan b', null],
      ['ramp scan c', null],
    ]);
  });

  it('never runs illustrations and reports ramp commands that are neither', () => {
    const s = parseSessions(
      page(
        [
          '```text illustration', 'ramp inspect <model>', '```',
          '```bash', 'export X=1 && ramp scan m.pkl', '```',
          '```console', '$ ramp predict m.pkl --input -', '```',
          '```yaml', 'script:', '  - ramp serve m.pkl &', '```',
          '```python', '# column 1 is class 1 in `ramp inspect`', 'subprocess.run(["ramp", "predict"])', '```',
          '```text', 'Usage: ramp inspect', 'rampage', '```',
        ].join('\n'),
      ),
    );
    expect(s.blocks).toEqual([]);
    expect(s.unmarked).toEqual([
      { line: 8, command: 'export X=1 && ramp scan m.pkl' },
      { line: 11, command: '$ ramp predict m.pkl --input -' },
      { line: 14, command: '- ramp serve m.pkl &' },
    ]);
  });

  it('does not report a ramp command inside a session output', () => {
    const s = parseSessions(page('```bash session\nramp serve m.pkl &\n```\n\n```text\nramp serve: …\n```\n'));
    expect(s.unmarked).toEqual([]);
  });

  it('reads a per-block timeout and refuses a bad one', () => {
    expect(parseSessions(page('```bash session timeout=30\nsleep 1\n```\n')).blocks[0]!.timeout).toBe(30);
    expect(() => parseSessions(page('```bash session timeout=soon\nsleep 1\n```\n'))).toThrow(/timeout=/);
  });
});

describe('frontmatter fixtures', () => {
  it('accepts a folder or a list of folders', () => {
    expect(frontmatterFixtures(page('', 'title: t\nfixture: iris'))).toEqual(['iris']);
    expect(frontmatterFixtures(page('', 'title: t\nfixture: [labs/x/files, not-a-model]'))).toEqual(['labs/x/files', 'not-a-model']);
    expect(frontmatterFixtures(page('', 'title: t'))).toEqual([]);
    expect(() => frontmatterFixtures(page('', 'title: t\nfixture: {a: 1}'))).toThrow(/fixture/);
  });
});

describe('rewriteOutputs', () => {
  it('replaces an output block body in place, keeping its indentation and everything else', () => {
    const text = ['1. Run:', '', '   ```bash session', '   ramp scan x', '   ```', '', '   ```text', '   old', '   lines', '   ```', 'after'].join('\n');
    const out = rewriteOutputs(text, new Map([[7, 'new\n\nthree']]));
    expect(out).toBe(['1. Run:', '', '   ```bash session', '   ramp scan x', '   ```', '', '   ```text', '   new', '', '   three', '   ```', 'after'].join('\n'));
    expect(rewriteOutputs('```text\nx\n```', new Map([[1, '']]))).toBe('```text\n```');
  });
});
