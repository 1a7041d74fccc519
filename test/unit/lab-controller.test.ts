/**
 * The lab controller against an in-memory runtime: autosave and Ctrl-S semantics, Check saves first
 * and keeps the check's output, Solve is recorded, a reload restores the learner's own files (and
 * replays solutions only for steps solved with Solve), Reset discards, and the runtime choice
 * falls through WebContainer → runner → recorded with the reason kept.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LabController } from '../../src/lab/controller.ts';
import { loadSnapshot, SNAPSHOT_LIMITS } from '../../src/lab/learner-files.ts';
import type { ExecResult, LabRuntime, LabShell, ServerEvent } from '../../src/lab/runtime.ts';
import { flattenTree } from '../../src/lab/runtime.ts';
import type { LabTree, LabClientData } from '../../src/shared/lab-schema.ts';

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  clear() {
    this.map.clear();
  }
}

const enc = new TextEncoder();

/** A runtime whose files live in a Map and whose commands are functions of those files. */
class MemoryRuntime implements LabRuntime {
  readonly kind = 'runner' as const;
  files = new Map<string, string | Uint8Array>();
  execs: { command: string; background: boolean }[] = [];
  writes: string[] = [];
  bootError: Error | null = null;
  private servers = new Set<(e: ServerEvent) => void>();
  private commands: Record<string, (rt: MemoryRuntime) => ExecResult>;
  constructor(starter: Record<string, string>, commands: Record<string, (rt: MemoryRuntime) => ExecResult>) {
    this.commands = commands;
    for (const [k, v] of Object.entries(starter)) this.files.set(k, v);
  }
  async boot() {
    if (this.bootError) throw this.bootError;
  }
  async mount(tree: LabTree) {
    for (const [k, v] of flattenTree(tree)) this.files.set(k, v);
  }
  async shell(): Promise<LabShell> {
    return { write() {}, resize() {} };
  }
  async exec(command: string, options: { background?: boolean } = {}): Promise<ExecResult> {
    this.execs.push({ command, background: !!options.background });
    const run = this.commands[command];
    if (run) return run(this);
    const redirect = /^(.*) > (\S+)$/.exec(command);
    if (redirect) {
      this.files.set(redirect[2]!, `output of ${redirect[1]}\n`);
      return { exitCode: 0, output: '', timedOut: false };
    }
    if (options.background) for (const l of this.servers) l({ port: 8080, type: 'open', url: 'http://preview/8080/' });
    return { exitCode: 0, output: '', timedOut: false };
  }
  async readFile(path: string) {
    const v = this.files.get(path);
    if (v === undefined) throw new Error(`no such file: ${path}`);
    return typeof v === 'string' ? enc.encode(v) : v;
  }
  async writeFile(path: string, data: string | Uint8Array) {
    this.writes.push(path);
    this.files.set(path, data);
  }
  async listFiles() {
    return [...this.files.keys()];
  }
  onServer(l: (e: ServerEvent) => void) {
    this.servers.add(l);
    return () => this.servers.delete(l);
  }
  onClose() {
    return () => {};
  }
  async teardown() {}
}

const LAB: LabClientData = {
  id: 'demo',
  title: 'Demo',
  duration: 5,
  summary: 'A lab for tests',
  needs: [],
  treeUrl: '/labs/demo/tree.json',
  recordedUrl: '/labs/demo/recorded.json',
  steps: [
    { id: 'edit', title: 'Edit the answer', check: { run: 'check edit', message: 'answer.txt is not 42 yet.', timeout: 5 }, solution: { files: ['answer.txt'], run: [] } },
    { id: 'scan', title: 'Save the scan', try: 'scan > scan.txt', check: { run: 'check scan', message: 'scan.txt is missing.', timeout: 5 }, solution: { files: [], run: ['scan > scan.txt'] } },
    { id: 'serve', title: 'Serve it', check: { run: 'check serve', message: 'Nothing serves.', timeout: 5 }, solution: { files: [], run: ['serve --port 8080 &'] } },
  ],
};
const STARTER = { 'answer.txt': 'TODO\n', 'bin/ramp': '#!/usr/bin/env node', '.lab/check.mjs': '//' };
const SOLUTION = { 'answer.txt': { contents: '42\n' } };

function commands(): Record<string, (rt: MemoryRuntime) => ExecResult> {
  const text = (rt: MemoryRuntime, p: string) => {
    const v = rt.files.get(p);
    return typeof v === 'string' ? v : v ? new TextDecoder().decode(v) : undefined;
  };
  return {
    'check edit': (rt) => (text(rt, 'answer.txt')?.trim() === '42' ? { exitCode: 0, output: '✓ answer is 42\n', timedOut: false } : { exitCode: 1, output: `\x1b[31m✗ answer is ${text(rt, 'answer.txt')?.trim()}\x1b[0m\n\n`, timedOut: false }),
    'check scan': (rt) => ({ exitCode: rt.files.has('scan.txt') ? 0 : 1, output: '', timedOut: false }),
    'check serve': (rt) => ({ exitCode: rt.execs.some((e) => e.background) ? 0 : 1, output: '', timedOut: false }),
  };
}

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
  vi.stubGlobal('localStorage', storage);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

async function started(runtime = new MemoryRuntime(STARTER, commands()), opts: { autosaveMs?: number } = {}) {
  const c = new LabController(LAB, { makeRuntime: async () => runtime, fetchJson: async (url) => (url.endsWith('solution.json') ? SOLUTION : { 'answer.txt': { contents: 'TODO\n' } }), storage, ...opts });
  expect(await c.start({ tries: ['runner'], recorded: false, notice: '' })).toBe(true);
  await c.ready();
  return { c, runtime };
}

describe('editing', () => {
  it('marks an edit unsaved until the autosave writes it into the runtime', async () => {
    vi.useFakeTimers();
    const { c, runtime } = await started(undefined, { autosaveMs: 800 });
    await c.openFile('answer.txt');
    c.edit('41\n');
    expect(c.isDirty()).toBe(true);
    expect(runtime.files.get('answer.txt')).toBe('TODO\n');
    await vi.advanceTimersByTimeAsync(799);
    expect(runtime.writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runtime.files.get('answer.txt')).toBe('41\n');
    expect(c.isDirty()).toBe(false);
  });

  it('saves at once on save() (Ctrl/Cmd-S) and writes once', async () => {
    vi.useFakeTimers();
    const { c, runtime } = await started();
    await c.openFile('answer.txt');
    c.edit('4');
    c.edit('42\n');
    await c.save();
    expect(runtime.files.get('answer.txt')).toBe('42\n');
    await vi.advanceTimersByTimeAsync(5000);
    expect(runtime.writes).toEqual(['answer.txt']);
  });

  it('keeps an edit unsaved, with the reason, when the runtime refuses the write', async () => {
    const { c, runtime } = await started();
    await c.openFile('answer.txt');
    runtime.writeFile = async () => {
      throw new Error('disk quota exceeded');
    };
    c.edit('42\n');
    await c.save();
    expect(c.isDirty()).toBe(true);
    expect(c.state.open?.error).toMatch(/disk quota exceeded/);
  });

  it('lists no lab internals (bin/, .lab/)', async () => {
    const { c } = await started();
    expect(c.state.files).toEqual(['answer.txt']);
  });
});

describe('checks', () => {
  it('saves the open file first, and keeps the check output (ANSI stripped) with the step message', async () => {
    const { c } = await started();
    await c.openFile('answer.txt');
    c.edit('41\n');
    expect(await c.check('edit')).toBe(false);
    expect(c.state.results.edit).toEqual({ state: 'failed', message: 'answer.txt is not 42 yet.', output: '✗ answer is 41' });
    c.edit('42\n');
    expect(await c.check('edit')).toBe(true);
    expect(c.state.results.edit!.state).toBe('passed');
    expect(c.state.progress.done).toEqual(['edit']);
    expect(c.state.progress.solved).toEqual([]);
  });

  it('records a step completed with Solve as solved', async () => {
    const { c, runtime } = await started();
    expect(await c.solve('edit')).toBe(true);
    expect(runtime.files.get('answer.txt')).toBe('42\n');
    expect(c.state.progress.solved).toEqual(['edit']);
  });

  it('shows a solution against the learner current text, or the starter before Start', async () => {
    const before = new LabController(LAB, { makeRuntime: async () => new MemoryRuntime(STARTER, commands()), fetchJson: async (url) => (url.endsWith('solution.json') ? SOLUTION : { 'answer.txt': { contents: 'TODO\n' } }), storage });
    expect(await before.solutionPreview('edit')).toEqual([{ path: 'answer.txt', current: 'TODO\n', solution: '42\n' }]);
    const { c } = await started();
    await c.openFile('answer.txt');
    c.edit('my own answer\n');
    expect(await c.solutionPreview('edit')).toEqual([{ path: 'answer.txt', current: 'my own answer\n', solution: '42\n' }]);
  });
});

describe('reload', () => {
  it('restores the learner files, replays Solve-d steps whole and only the servers of hand-done steps', async () => {
    const first = await started();
    await first.c.openFile('answer.txt');
    first.c.edit('42\n');
    await first.c.check('edit'); // by hand
    await first.c.solve('scan'); // with Solve
    first.runtime.files.set('serve.log', 'hand-started');
    await first.c.check('serve').catch(() => {});
    // serve was not started: it failed. Start it by hand, then check.
    await first.runtime.exec('serve --port 8080', { background: true });
    expect(await first.c.check('serve')).toBe(true);
    first.runtime.files.set('notes.md', 'my notes');
    await first.c.persist();

    const second = await started();
    const commandsRun = second.runtime.execs.map((e) => e.command).filter((c) => !c.startsWith('check'));
    expect(commandsRun).toEqual(['scan > scan.txt', 'serve --port 8080']);
    expect(second.runtime.files.get('answer.txt')).toBe('42\n');
    expect(second.runtime.files.get('notes.md')).toBe('my notes');
    expect(second.c.state.files).toContain('notes.md');
  });

  it('the learner own version wins over a replayed solution', async () => {
    const first = await started();
    await first.c.solve('edit');
    await first.c.openFile('answer.txt');
    first.c.edit('42 \n');
    await first.c.save();
    const second = await started();
    expect(second.runtime.files.get('answer.txt')).toBe('42 \n');
  });

  it('keeps no binary or oversized file, and never lab internals', async () => {
    const runtime = new MemoryRuntime(STARTER, commands());
    runtime.files.set('model.pkl', new Uint8Array([0x80, 0x04, 0x00, 0x95]));
    runtime.files.set('big.csv', 'x'.repeat(SNAPSHOT_LIMITS.file + 1));
    const { c } = await started(runtime);
    await c.persist();
    expect(Object.keys(loadSnapshot('demo', storage)!).sort()).toEqual(['answer.txt']);
  });

  it('ignores a tampered snapshot entry that points outside the lab', async () => {
    storage.setItem('onramp:lab-files:demo', JSON.stringify({ v: 1, files: { '../../etc/passwd': 'x', '/abs': 'x', 'bin/ramp': 'x', 'ok.txt': 'fine' } }));
    expect(loadSnapshot('demo', storage)).toEqual({ 'ok.txt': 'fine' });
  });
});

describe('reset', () => {
  it('says what it discards, then clears progress and files', async () => {
    const { c } = await started();
    await c.openFile('answer.txt');
    c.edit('42\n');
    await c.check('edit');
    expect(c.resetSummary()).toMatch(/1 of 3 steps done/);
    c.edit('43\n');
    expect(c.resetSummary()).toMatch(/unsaved edits to answer\.txt/);
    await c.reset();
    expect(c.state.progress.done).toEqual([]);
    expect(loadSnapshot('demo', storage)).toBeNull();
    expect(storage.getItem('onramp:lab:demo')).toBeNull();
  });
});

describe('runtime choice', () => {
  it('moves on from a WebContainer that cannot run, saying why, without making it', async () => {
    const made: string[] = [];
    const c = new LabController(LAB, {
      makeRuntime: async (kind) => (made.push(kind), new MemoryRuntime(STARTER, commands())),
      probeWebContainer: async () => 'StackBlitz did not answer.',
      storage,
    });
    expect(await c.start({ tries: ['webcontainer', 'runner'], recorded: false, notice: '' })).toBe(true);
    expect(made).toEqual(['runner']);
    expect(c.state.notice).toMatch(/StackBlitz did not answer\. Starting the next runtime instead\./);
  });

  it('falls back to recorded output with every reason when no runtime starts', async () => {
    const runtime = new MemoryRuntime(STARTER, commands());
    runtime.bootError = new Error('the lab runner is turned off on this server (ONRAMP_LAB_RUNNER=off)');
    const c = new LabController(LAB, { makeRuntime: async () => runtime, storage });
    expect(await c.start({ tries: ['runner'], recorded: false, notice: '' })).toBe(false);
    expect(c.state.phase).toBe('recorded');
    expect(c.state.notice).toMatch(/ONRAMP_LAB_RUNNER=off/);
  });
});
