/**
 * One lab session: a fresh temporary directory seeded from the lab's tree, bash in a
 * pseudo-terminal, checks and commands run in the same directory in their own process groups,
 * and the ports its processes open. `destroy()` kills every process of the session and removes
 * the directory.
 */
import { spawn as spawnChild } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pty from '@lydell/node-pty';
import type { LabTree } from '../../shared/lab-schema.ts';
import { LAB_BIN } from '../../shared/lab-schema.ts';
import { killSession, SESSION_ENV } from './processes.ts';

type Pty = ReturnType<typeof pty.spawn>;

export interface ExecResult {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

const OUTPUT_LIMIT = 256 * 1024;

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

export class LabSession {
  readonly id: string;
  readonly token: string;
  readonly lab: string;
  /** The session's root (holds the rc file); the lab's files are in `dir`. */
  root = '';
  dir = '';
  /** POSIX session ids of processes the runner started (the shell, each command). */
  readonly sids = new Set<number>();
  readonly ports = new Set<number>();
  shell: Pty | null = null;
  lastActivity = Date.now();
  closed = false;
  private env: Record<string, string> = {};

  constructor(lab: string) {
    this.id = randomBytes(12).toString('base64url');
    this.token = randomBytes(24).toString('base64url');
    this.lab = lab;
  }

  async init(tree: LabTree): Promise<void> {
    this.root = await realpath(await mkdtemp(join(tmpdir(), 'onramp-lab-')));
    this.dir = join(this.root, 'lab');
    await mkdir(this.dir);
    await seed(this.dir, tree);
    await mkdir(join(this.dir, LAB_BIN), { recursive: true });
    const nodeDir = dirname(process.execPath);
    this.env = {
      PATH: [join(this.dir, LAB_BIN), nodeDir, '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      HOME: this.dir,
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
        `cd '${this.dir}'`,
        `HISTFILE=/dev/null`,
        '',
      ].join('\n'),
    );
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  startShell(cols: number, rows: number, onData: (data: string) => void, onExit: (code: number) => void): void {
    const shell = pty.spawn('bash', ['--noprofile', '--rcfile', join(this.root, 'bashrc'), '-i'], {
      name: 'xterm-256color',
      cols,
      rows,
      cwd: this.dir,
      env: this.env,
    });
    this.shell = shell;
    this.sids.add(shell.pid);
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
      const child = spawnChild('bash', ['--noprofile', '--norc', '-c', command], { cwd: this.dir, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid) this.sids.add(child.pid);
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
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ exitCode: null, output: e.message, timedOut: false });
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        // Give the pipes a moment to drain; a background grandchild may keep them open.
        const finish = () => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* group already gone */
          }
          resolve({ exitCode: timedOut ? null : code, output, timedOut });
        };
        let done = false;
        const once = () => {
          if (!done) {
            done = true;
            finish();
          }
        };
        child.on('close', once);
        setTimeout(once, 200);
      });
    });
  }

  async destroy(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.shell?.kill('SIGHUP');
    } catch {
      /* gone */
    }
    await killSession(this.id, this.sids);
    if (this.root) await rm(this.root, { recursive: true, force: true });
  }
}
