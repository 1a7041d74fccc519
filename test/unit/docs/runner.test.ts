/**
 * docs:test end to end on small pages in a temporary folder: real bash, the real ramp bundle, real
 * servers. Also the promise of issue 11: change one character of a shown output on the headline
 * guide and docs:test fails naming the page and the line; --update puts it back.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDocs, type RunOptions } from '../../../scripts/docs/run.ts';
import { ROOT } from '../ramp/helpers.ts';

let dir: string;
let ramp: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onramp-docs-test-'));
  const { buildRamp } = (await import('../../../labs/ramp/build.mjs')) as { buildRamp: (o: { outfile: string }) => Promise<{ outfile: string }> };
  ramp = (await buildRamp({ outfile: join(dir, 'ramp.mjs') })).outfile;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs docs:test over one page written to its own content folder. */
async function runPage(name: string, text: string, opts: Partial<RunOptions> = {}) {
  const content = join(dir, name);
  mkdirSync(content, { recursive: true });
  writeFileSync(join(content, 'page.mdx'), text);
  const lines: string[] = [];
  const report = await runDocs({ root: ROOT, contentDir: content, ramp, log: (l) => lines.push(l), ...opts });
  return { report, log: lines.join('\n'), file: join(content, 'page.mdx') };
}

const fm = (extra = '') => `---\ntitle: t\n${extra}---\n\n`;

describe('exit codes', () => {
  it('fails a command that exits non-zero unless the next command shows $?', async () => {
    const { report, log } = await runPage(
      'exit',
      fm() +
        '```bash session\nfalse; echo "exit $?"\n```\n\n```text\nexit 1\n```\n\n' +
        '```bash session\nfalse\necho after\n```\n\n```text\nafter\n```\n\n' +
        '```bash session\necho last; false\n```\n\n```text\nlast\n```\n',
    );
    expect(report.blocks.map((b) => b.outcome)).toEqual(['passed', 'failed', 'failed']);
    expect(log).toContain('page.mdx:13  false');
    expect(log).toContain('`false` exited with status 1, and the page does not show it');
    expect(log).toContain('page.mdx:22  echo last; false');
  });

  it('shows a shown exit code in the comparison, so a changed code fails', async () => {
    const { report, log } = await runPage('exit2', fm() + '```bash session\n(exit 3); echo "exit $?"\n```\n\n```text\nexit 4\n```\n');
    expect(report.failed).toBe(1);
    expect(log).toContain('-exit 4');
    expect(log).toContain('+exit 3');
  });
});

describe('servers', () => {
  it('starts ramp serve in the background, waits for it, calls it, and stops everything', async () => {
    const { report, log } = await runPage(
      'serve',
      fm('fixture: iris\n') +
        '```bash session\nramp serve iris.pkl --port 8080 &\n```\n\n```text\nServing iris on http://127.0.0.1:<port>\n…\nPress Ctrl+C to stop.\n```\n\n' +
        "```bash session\ncurl -s http://127.0.0.1:8080/v1/models/iris:predict -d '{\"instances\": [[4.6, 3.2, 1.4, 0.2]]}'\n```\n\n```json\n{\"predictions\":[\"setosa\"]}\n```\n\n" +
        "```bash session\nsleep 300 &\necho started\n```\n",
    );
    expect(log).toBe(`✓ ${join(dir, 'serve', 'page.mdx')}: 3 blocks`);
    expect(report.passed).toBe(3);
    // Nothing the page started is still running.
    expect(spawnSync('pgrep', ['-f', join(dir, 'ramp.mjs')]).status).toBe(1);
  });

  it('reports, and kills, a process that ignores SIGTERM', async () => {
    // The block waits until the trap is set: otherwise, on a loaded machine, SIGTERM can arrive first.
    const { report, log } = await runPage('stubborn', fm() + "```bash session\nsh -c 'trap \"\" TERM; touch trapped; while :; do sleep 0.1; done' &\nuntil [ -e trapped ]; do sleep 0.05; done\n```\n", { stopGraceMs: 300 });
    expect(report.failed).toBe(1);
    expect(log).toContain('(after the last block)');
    expect(log).toMatch(/still running after SIGTERM and killed:\n.*trap "" TERM/);
  });

  it('bounds a block that hangs, and skips the rest of its page', async () => {
    const { report, log } = await runPage('hang', fm('fixture: iris\n') + '```bash session timeout=1\nramp serve iris.pkl --port 8080\n```\n\n```bash session\necho never\n```\n');
    expect(report.blocks.map((b) => b.outcome)).toEqual(['failed', 'skipped']);
    expect(log).toContain('did not finish within 1 s');
    expect(log).toContain('Serving iris on http://127.0.0.1:8080'); // its output so far
  });
});

describe('sessions share one shell, in a scratch folder seeded from the fixture', () => {
  it('keeps cd and variables between blocks, and starts from the fixture files', async () => {
    const { report } = await runPage(
      'state',
      fm('fixture: not-a-model\n') + '```bash session\nls\nmkdir sub && cd sub\nX=42\n```\n\n```text\nnot-a-model.pkl\n```\n\n```bash session\npwd | sed "s|.*/||"; echo $X\n```\n\n```text\nsub\n42\n```\n',
    );
    expect(report.passed).toBe(2);
  });

  it('names a missing fixture folder', async () => {
    const { log } = await runPage('nofix', fm('fixture: no-such-fixture\n') + '```bash session\ntrue\n```\n');
    expect(log).toContain('fixture folder not found: test/docs-fixtures/no-such-fixture');
  });
});

describe('the headline guide', () => {
  const guide = join(ROOT, 'content', 'docs', 'guides', 'pkl-to-endpoint.mdx');

  it('fails when one character of a shown output changes, naming the page and the lines, and --update restores it', async () => {
    const content = join(dir, 'guide');
    mkdirSync(content, { recursive: true });
    const copy = join(content, 'pkl-to-endpoint.mdx');
    copyFileSync(guide, copy);
    const original = readFileSync(copy, 'utf8');
    const lines = original.split('\n');
    const at = lines.indexOf('Task          classifier');
    expect(at).toBeGreaterThan(0);
    lines[at] = 'Task          classifieR';
    writeFileSync(copy, lines.join('\n'));

    const out: string[] = [];
    const report = await runDocs({ root: ROOT, contentDir: content, ramp, log: (l) => out.push(l) });
    const log = out.join('\n');
    expect(report.failed).toBe(1);
    const command = lines.findIndex((l) => l === 'ramp inspect churn.joblib') + 1; // 1-based line of the command…
    expect(log).toContain(`✗ ${copy}:${command - 1}  ramp inspect churn.joblib`); // …whose fence opens a line above
    expect(log).toContain(`the output differs from the block at line ${command + 3}:`);
    expect(log).toContain('-Task          classifieR');
    expect(log).toContain('+Task          classifier');

    const updated = await runDocs({ root: ROOT, contentDir: content, ramp, update: true, log: () => {} });
    expect(updated.updatedFiles).toEqual([copy]);
    expect(readFileSync(copy, 'utf8')).toBe(original);
  }, 60_000);
});
