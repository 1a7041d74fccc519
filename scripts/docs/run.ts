/**
 * Runs every session of every page (see sessions.ts for the syntax, compare.ts for placeholders,
 * shell.ts for how a session runs) and reports each block: passed, failed (with the page, the
 * block's line, the command and a unified diff) or skipped (an earlier block of the page hung or
 * killed the shell). With `update`, expected outputs that differ are rewritten in place.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { compareOutput, outputDiff } from './compare.ts';
import { parseSessions, rewriteOutputs, type SessionBlock } from './sessions.ts';
import { ShellSession } from './shell.ts';

export interface RunOptions {
  /** Repository root: fixtures resolve against it, and page names are shown relative to it. */
  root: string;
  /** Folder of pages (default content/docs under root). */
  contentDir?: string;
  /** The ramp entry point every session runs as `ramp`. */
  ramp: string;
  update?: boolean;
  /** Only pages whose path contains one of these strings. */
  filter?: string[];
  /** Per-block time limit when the block gives none (ms). */
  timeoutMs?: number;
  /** Pages run at the same time (each in its own shell and network namespace). */
  concurrency?: number;
  isolateNetwork?: boolean;
  /** How long processes left running get after SIGTERM before SIGKILL (ms, default 5000). */
  stopGraceMs?: number;
  log?: (line: string) => void;
}

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface BlockReport {
  page: string;
  line: number;
  command: string;
  outcome: Outcome;
  /** Why it failed: readable, multi-line (diffs included). */
  problems: string[];
  updated?: boolean;
  ms: number;
}

export interface RunReport {
  pages: number;
  blocks: BlockReport[];
  passed: number;
  failed: number;
  skipped: number;
  updatedFiles: string[];
  isolated: boolean;
  ms: number;
}

/** Where a fixture named in a page lives: a path with a slash is relative to the root, a bare name is test/docs-fixtures/<name>. */
export function fixturePath(root: string, name: string): string {
  return name.includes('/') ? join(root, name) : join(root, 'test', 'docs-fixtures', name);
}

export function listPages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.mdx?$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const DEFAULT_TIMEOUT_MS = Number(process.env.DOCS_TEST_TIMEOUT ?? 10) * 1000;

async function poll<T>(read: () => T, done: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let v = read();
  while (!done(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    v = read();
  }
  return v;
}

/** Waits until output written by a background job has stopped changing for a moment (for --update). */
async function settled(read: () => string, ms: number): Promise<string> {
  const end = Date.now() + ms;
  let last = read();
  let since = Date.now();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    const now = read();
    if (now !== last) { last = now; since = Date.now(); }
    else if (last !== '' && Date.now() - since >= 300) break;
  }
  return last;
}

const indent = (s: string, by = '    '): string => s.split('\n').map((l) => (l ? by + l : l)).join('\n');

function exitProblems(status: number, unshown: Array<[number, string]>): string[] {
  const problems: string[] = [];
  for (const [s, cmd] of unshown) {
    problems.push(`\`${cmd}\` exited with status ${s}, and the page does not show it: follow it with \`; echo "exit $?"\` and show that line in the output`);
  }
  if (status !== 0 && unshown.length === 0) problems.push(`the block exited with status ${status}, and the page does not show it: end it with \`; echo "exit $?"\``);
  return problems;
}

async function runPage(file: string, label: string, opts: RunOptions): Promise<{ reports: BlockReport[]; updated: boolean }> {
  const text = readFileSync(file, 'utf8');
  const reports: BlockReport[] = [];
  const fail = (line: number, command: string, problems: string[]): void => {
    reports.push({ page: label, line, command, outcome: 'failed', problems, ms: 0 });
  };
  let parsed;
  try {
    parsed = parseSessions(text);
  } catch (e) {
    fail(1, '(frontmatter)', [(e as Error).message]);
    return { reports, updated: false };
  }
  for (const u of parsed.unmarked) {
    fail(u.line, u.command, ['a `ramp` command that is neither a session nor an illustration: add `session` (run it) or `illustration` (never run) to the fence\'s meta, e.g. ```bash session']);
  }
  if (parsed.blocks.length === 0) return { reports, updated: false };
  const fixtures = parsed.fixtures.map((f) => fixturePath(opts.root, f));
  const missing = fixtures.filter((f) => !existsSync(f) || !statSync(f).isDirectory());
  if (missing.length) {
    fail(1, '(frontmatter)', [`fixture folder not found: ${missing.map((m) => relative(opts.root, m)).join(', ')}`]);
    return { reports, updated: false };
  }
  const sh = new ShellSession({ fixtures, ramp: opts.ramp, isolateNetwork: opts.isolateNetwork });
  const replacements = new Map<number, string>();
  let dead: string | null = null;
  try {
    for (const block of parsed.blocks) {
      if (dead) {
        reports.push({ page: label, line: block.line, command: block.command, outcome: 'skipped', problems: [dead], ms: 0 });
        continue;
      }
      reports.push(await runBlock(sh, block, label, opts, replacements, (why) => { dead = why; }));
    }
  } finally {
    const { killed } = await sh.close(opts.stopGraceMs);
    if (killed.length) {
      fail(parsed.blocks[parsed.blocks.length - 1]!.line, '(after the last block)', [`still running after SIGTERM and killed:\n${indent(killed.join('\n'))}`]);
    }
  }
  if (replacements.size) writeFileSync(file, rewriteOutputs(text, replacements));
  return { reports, updated: replacements.size > 0 };
}

async function runBlock(
  sh: ShellSession,
  block: SessionBlock,
  label: string,
  opts: RunOptions,
  replacements: Map<number, string>,
  kill: (why: string) => void,
): Promise<BlockReport> {
  const started = Date.now();
  const timeoutMs = block.timeout ? block.timeout * 1000 : (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const r = await sh.run(block.code, timeoutMs);
  const report: BlockReport = { page: label, line: block.line, command: block.command, outcome: 'passed', problems: [], ms: 0 };
  if (r.kind === 'timeout') {
    const why = `did not finish within ${timeoutMs / 1000} s (a foreground server? end its line with \`&\`; a slow block can set timeout=N in its meta)`;
    report.problems.push(why + (r.output.trim() ? `; its output so far:\n${indent(r.output.trimEnd())}` : ''));
    kill(`not run: the block at line ${block.line} timed out`);
  } else if (r.kind === 'shell-exited') {
    report.problems.push(`the session's shell exited during this block (does it call \`exit\`?)${sh.shellErrors ? `:\n${indent(sh.shellErrors)}` : ''}`);
    kill(`not run: the shell exited at line ${block.line}`);
  } else {
    report.problems.push(...exitProblems(r.status, r.unshown));
    const expected = block.expected;
    if (expected) {
      let output = r.output;
      let cmp = compareOutput(expected.text, output);
      if (!cmp.ok && r.newJobs.length) {
        // A background job (a server's banner) may still be writing: wait for it, within the limit.
        if (opts.update) output = await settled(() => sh.outputOf(r.n), timeoutMs);
        else output = await poll(() => sh.outputOf(r.n), (o) => compareOutput(expected.text, o).ok, timeoutMs);
        cmp = compareOutput(expected.text, output);
      }
      if (!cmp.ok) {
        if (opts.update) {
          replacements.set(expected.line, cmp.rewritten);
          report.updated = true;
        } else {
          report.problems.push(`the output differs from the block at line ${expected.line}:\n${indent(outputDiff(cmp, `${label}:${expected.line} (shown)`))}`);
        }
      }
    }
  }
  report.ms = Date.now() - started;
  if (report.problems.length) report.outcome = 'failed';
  return report;
}

export function formatBlock(b: BlockReport): string {
  const mark = b.outcome === 'passed' ? (b.updated ? '↻' : '✓') : b.outcome === 'failed' ? '✗' : '-';
  const head = `${mark} ${b.page}:${b.line}  ${b.command}`;
  return b.problems.length && b.outcome !== 'passed' ? `${head}\n${b.problems.map((p) => indent(p, '    ')).join('\n')}` : head;
}

/** Runs the sessions of every page under the content folder. */
export async function runDocs(opts: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const contentDir = opts.contentDir ?? join(opts.root, 'content', 'docs');
  const log = opts.log ?? ((l: string) => console.log(l));
  const files = listPages(contentDir).filter((f) => !opts.filter?.length || opts.filter.some((s) => f.includes(s)));
  const labelOf = (f: string): string => {
    const rel = relative(opts.root, f);
    return rel.startsWith('..') || isAbsolute(rel) ? f : rel;
  };
  const results: Array<Promise<{ reports: BlockReport[]; updated: boolean }>> = [];
  const limit = Math.max(1, opts.concurrency ?? 2);
  let running = 0;
  const queue: Array<() => void> = [];
  const slot = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((r) => queue.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
  for (const f of files) results.push(slot(() => runPage(f, labelOf(f), opts)));
  const blocks: BlockReport[] = [];
  const updatedFiles: string[] = [];
  let pages = 0;
  for (let i = 0; i < files.length; i++) {
    const { reports, updated } = await results[i]!;
    if (reports.length === 0) continue;
    pages++;
    if (updated) updatedFiles.push(labelOf(files[i]!));
    for (const b of reports) if (b.outcome !== 'passed' || b.updated) log(formatBlock(b));
    const ok = reports.filter((b) => b.outcome === 'passed').length;
    if (ok === reports.length) log(`✓ ${labelOf(files[i]!)}: ${ok} block${ok === 1 ? '' : 's'}`);
    blocks.push(...reports);
  }
  const count = (o: Outcome): number => blocks.filter((b) => b.outcome === o).length;
  return {
    pages,
    blocks,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    updatedFiles,
    isolated: (opts.isolateNetwork ?? true) && (await import('./shell.ts')).canIsolateNetwork(),
    ms: Date.now() - started,
  };
}
