/**
 * One lab session: a fresh temporary folder seeded from the lab's tree, a sandbox around it (see
 * sandbox.ts), bash in a pseudo-terminal, checks and commands in their own process groups, file
 * operations, and the ports its processes open. Everything runs inside the one sandbox.
 * `destroy()` kills every process of the session and removes the folder.
 */
import { spawn as spawnChild } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pty from '@lydell/node-pty';
import type { LabTree } from '../../shared/lab-schema.ts';
import { LAB_BIN } from '../../shared/lab-schema.ts';
import { listInside, readInside, readNoFollow, writeInside } from './files.ts';
import { SESSION_ENV } from './processes.ts';
import type { LabSandbox, SandboxDriver } from './sandbox.ts';
import { listInSandbox, MAX_FILE, writeInSandbox, type RunResult } from './sandbox-files.ts';

type Pty = ReturnType<typeof pty.spawn>;

export interface ExecResult {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

const OUTPUT_LIMIT = 256 * 1024;
const FILE_OP_TIMEOUT_MS = 30_000;

async function seed(dir: string, tree: LabTree): Promise<void> {
  for (const [name, node] of Object.entries(tree)) {
    const full = join(dir, name);
    if ('directory' in node) {
      await mkdir(full, { recursive: true });
      await seed(full, node.directory);
    } else {
      const data = 'base64' in node.file ? Buffer.from(node.file.base64, 'base64') : node.file.contents;
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, data);
      if (node.file.executable) await chmod(full, 0o755);
    }
  }
}

function killGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {
    /* group already gone */
  }
}

export class LabSession {
  readonly id: string;
  readonly token: string;
  readonly lab: string;
  /** The session's root on the host (the service's: rc file, bridge socket); the lab's files are in `dir`. */
  root = '';
  dir = '';
  readonly ports = new Set<number>();
  shell: Pty | null = null;
  sandbox: LabSandbox | null = null;
  lastActivity = Date.now();
  closed = false;
  private env: Record<string, string> = {};
  private readonly driver: SandboxDriver;

  constructor(lab: string, driver: SandboxDriver) {
    this.id = randomBytes(12).toString('base64url');
    this.token = randomBytes(24).toString('base64url');
    this.lab = lab;
    this.driver = driver;
  }

  async init(tree: LabTree): Promise<void> {
    this.root = await realpath(await mkdtemp(join(tmpdir(), 'onramp-lab-')));
    this.dir = join(this.root, 'lab');
    await mkdir(this.dir);
    await seed(this.dir, tree);
    await mkdir(join(this.dir, LAB_BIN), { recursive: true });
    const sandbox = this.driver.create({ id: this.id, root: this.root, dir: this.dir });
    this.sandbox = sandbox;
    const home = sandbox.labDir;
    this.env = {
      PATH: [join(home, LAB_BIN), sandbox.nodeBinDir, '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      HOME: home,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      [SESSION_ENV]: this.id,
    };
    await writeFile(
      join(this.root, 'bashrc'),
      [
        `PS1='\\[\\e[1;36m\\]lab\\[\\e[0m\\]:\\[\\e[1;34m\\]\\w\\[\\e[0m\\]\\$ '`,
        `export PATH='${this.env.PATH}'`,
        `cd '${home}'`,
        `HISTFILE=/dev/null`,
        '',
      ].join('\n'),
    );
    await sandbox.start();
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  private get box(): LabSandbox {
    if (!this.sandbox) throw new Error('the session has no sandbox yet');
    return this.sandbox;
  }

  startShell(cols: number, rows: number, onData: (data: string) => void, onExit: (code: number) => void): void {
    const cmd = this.box.command(['bash', '--noprofile', '--rcfile', this.box.rcFile, '-i'], this.env, { tty: true });
    const shell = pty.spawn(cmd.file, cmd.args, { name: 'xterm-256color', cols, rows, cwd: cmd.cwd, env: cmd.env });
    this.shell = shell;
    this.box.started?.(shell.pid);
    shell.onData(onData);
    shell.onExit(({ exitCode }) => {
      if (this.shell === shell) this.shell = null;
      onExit(exitCode);
    });
  }

  /**
   * Runs a command with bash in the lab directory, in its own process group. Waits for it to exit
   * (killing the whole group after `timeoutMs`), unless `onBackground` is given: then its output is
   * streamed there and the result returns at once.
   */
  exec(command: string, timeoutMs: number, onBackground?: (data: string) => void): Promise<ExecResult> {
    return new Promise((resolve) => {
      const cmd = this.box.command(['bash', '--noprofile', '--norc', '-c', command], this.env);
      const child = spawnChild(cmd.file, cmd.args, { cwd: cmd.cwd, env: cmd.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      this.box.started?.(child.pid);
      let output = '';
      const collect = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        if (onBackground) onBackground(text.replace(/\r?\n/g, '\r\n'));
        else if (output.length < OUTPUT_LIMIT) output += text;
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      if (onBackground) {
        child.on('error', (e) => onBackground(`${e.message}\r\n`));
        resolve({ exitCode: null, output: '', timedOut: false });
        return;
      }
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ exitCode: null, output: e.message, timedOut: false });
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        // Give the pipes a moment to drain; a background grandchild may keep them open.
        let done = false;
        const once = () => {
          if (done) return;
          done = true;
          killGroup(child.pid);
          resolve({ exitCode: timedOut ? null : code, output, timedOut });
        };
        child.on('close', once);
        setTimeout(once, 200);
      });
    });
  }

  /** Runs argv in the sandbox with `input` on stdin; for the file operations. */
  run(argv: string[], input?: Buffer): Promise<RunResult> {
    return new Promise((resolve) => {
      const cmd = this.box.command(argv, this.env, { service: true });
      const child = spawnChild(cmd.file, cmd.args, { cwd: cmd.cwd, env: cmd.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let size = 0;
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => {
        size += d.length;
        if (size <= 64 * 2 ** 20) out.push(d);
      });
      child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      child.stdin!.on('error', () => {});
      child.stdin!.end(input ?? Buffer.alloc(0));
      const timer = setTimeout(() => killGroup(child.pid), FILE_OP_TIMEOUT_MS);
      child.on('error', (e) => resolve({ code: null, stdout: Buffer.alloc(0), stderr: e.message }));
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout: Buffer.concat(out), stderr });
      });
    });
  }

  /** Reads on the host, race-free (no symlink followed); sandboxed writes run inside, as the learner. */
  readFile(path: string): Promise<Buffer> {
    return this.box.confined ? readNoFollow(this.dir, path, MAX_FILE) : readInside(this.dir, path);
  }

  writeFile(path: string, data: Buffer): Promise<void> {
    return this.box.confined ? writeInSandbox((a, i) => this.run(a, i), this.box.labDir, path, data) : writeInside(this.dir, path, data);
  }

  listFiles(): Promise<string[]> {
    return this.box.confined ? listInSandbox((a, i) => this.run(a, i), this.box.labDir) : listInside(this.dir);
  }

  async destroy(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.shell?.kill('SIGHUP');
    } catch {
      /* gone */
    }
    await this.sandbox?.destroy();
    if (this.root) await rm(this.root, { recursive: true, force: true });
  }
}
