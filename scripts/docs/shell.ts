/**
 * One page's session: a bash process in a scratch directory, fed one block at a time. Blocks share
 * the shell, as a reader's terminal does: `cd`, variables and background jobs (`ramp serve … &`)
 * carry over. Each block's stdout and stderr go to one file, so its output is exactly what the
 * block printed, in order.
 *
 * - Exit codes: an ERR trap notes every command that fails; the failure counts as shown only when
 *   the very next command reads `$?` (as `; echo "exit $?"` does). A block whose last command
 *   fails is never shown.
 * - Isolation: where unprivileged user namespaces work, the shell runs in its own network
 *   namespace (`unshare -rn`), so the ports a page shows (8080) are always free and two runs never
 *   meet. Elsewhere it uses the machine's loopback.
 * - Cleanup: the shell leads its own process group; closing the session sends SIGTERM to the group
 *   (servers drain and exit), then SIGKILL to whatever is left, and reports what had to be killed.
 * - Readiness: `curl` on the session's PATH waits (bounded) until a local URL's port accepts
 *   connections, then runs the real curl: a page can start a server and call it on the next line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface BlockResult {
  kind: 'done' | 'timeout' | 'shell-exited';
  /** Exit status of the block's last command. */
  status: number;
  /** Commands that failed without the next command reading `$?`: [status, command]. */
  unshown: Array<[number, string]>;
  output: string;
  /** Background jobs this block started that are still running. */
  newJobs: number[];
}

export interface CloseResult {
  /** Processes still running after SIGTERM and a grace period, which had to be killed. */
  killed: string[];
}

let netnsProbe: boolean | null = null;

/** Can this machine give a session its own network namespace (a private loopback)? */
export function canIsolateNetwork(): boolean {
  if (netnsProbe === null) {
    const r = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore', timeout: 5000 });
    netnsProbe = r.status === 0;
  }
  return netnsProbe;
}

const PRELUDE = String.raw`
__dt_p=; __dt_u=
__dt_err() { local s=$?; case $BASH_COMMAND in __dt_*|'source "$__DT/'*) return;; esac; __dt_p="$s"$'\t'"$BASH_COMMAND"; }
__dt_dbg() { [[ -z $__dt_p ]] && return; case $BASH_COMMAND in __dt_*) return;; esac; [[ $BASH_COMMAND == *'$?'* ]] || __dt_u+="$__dt_p"$'\x1e'; __dt_p=; }
__dt_done() {
  local s=$1 n=$2; trap - ERR DEBUG; set +T
  [[ $s != 0 && -n $__dt_p ]] && __dt_u+="$__dt_p"$'\x1e'
  printf '%s' "$__dt_u" > "$__DT/r$n"; __dt_u=; __dt_p=
  jobs -pr > "$__DT/j$n"
  printf '\n__DT_DONE %s %s\n' "$n" "$s"
}
`;

function curlShim(realCurl: string): string {
  return `#!/usr/bin/env bash
# docs:test: wait (at most 10 s) until a local URL's port accepts connections, then run curl.
for a in "$@"; do
  if [[ $a =~ ^(https?://)?(localhost|127\\.0\\.0\\.1|0\\.0\\.0\\.0|\\[::1\\])(:([0-9]+))?(/|$) ]]; then
    host=\${BASH_REMATCH[2]}; port=\${BASH_REMATCH[4]:-80}
    [[ $host == "[::1]" ]] && host=::1
    for _ in $(seq 200); do (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break; sleep 0.05; done
    break
  fi
done
exec ${JSON.stringify(realCurl)} "$@"
`;
}

export interface ShellOptions {
  /** Folders whose contents seed the scratch directory, in order. */
  fixtures: string[];
  /** The ramp entry point (labs/ramp/dist/ramp.mjs). */
  ramp: string;
  /** Run in a private network namespace when the machine allows it (default true). */
  isolateNetwork?: boolean;
}

export class ShellSession {
  readonly root: string;
  readonly work: string;
  readonly isolated: boolean;
  private readonly harness: string;
  private readonly child: ChildProcess;
  private n = 0;
  private stdoutBuf = '';
  private stderrBuf = '';
  private exited: number | null = null;
  private waiter: ((line: string | null) => void) | null = null;
  private jobs = new Set<number>();

  constructor(opts: ShellOptions) {
    this.root = mkdtempSync(join(tmpdir(), 'onramp-docs-'));
    this.work = join(this.root, 'work');
    this.harness = join(this.root, 'harness');
    const bin = join(this.harness, 'bin');
    mkdirSync(this.work, { recursive: true });
    mkdirSync(bin, { recursive: true });
    mkdirSync(join(this.harness, 'home'));
    for (const f of opts.fixtures) cpSync(f, this.work, { recursive: true });
    writeFileSync(join(bin, 'ramp'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(opts.ramp)} "$@"\n`);
    chmodSync(join(bin, 'ramp'), 0o755);
    const realCurl = spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim();
    if (realCurl) {
      writeFileSync(join(bin, 'curl'), curlShim(realCurl));
      chmodSync(join(bin, 'curl'), 0o755);
    }
    this.isolated = (opts.isolateNetwork ?? true) && canIsolateNetwork();
    const env: NodeJS.ProcessEnv = {
      PATH: [bin, dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':'),
      HOME: join(this.harness, 'home'),
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      TERM: 'dumb',
      NO_COLOR: '1',
      COLUMNS: '100',
      __DT: this.harness,
    };
    const shell = ['bash', '--noprofile', '--norc', '-s'];
    const [cmd, args] = this.isolated
      ? ['unshare', ['-rn', 'bash', '--noprofile', '--norc', '-c', `ip link set lo up || exit 97; exec ${shell.join(' ')}`]]
      : [shell[0]!, shell.slice(1)];
    this.child = spawn(cmd, args as string[], { cwd: this.work, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8');
    this.child.stderr!.setEncoding('utf8');
    this.child.stdout!.on('data', (d: string) => {
      this.stdoutBuf += d;
      this.pump();
    });
    this.child.stderr!.on('data', (d: string) => { this.stderrBuf = (this.stderrBuf + d).slice(-4000); });
    this.child.stdin!.on('error', () => {}); // EPIPE when the shell is gone; reported through 'exit'
    this.child.on('exit', (code, signal) => {
      this.exited = code ?? (signal ? 128 : 0);
      this.waiter?.(null);
    });
    this.child.stdin!.write(PRELUDE);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What the shell itself printed on stderr (diagnostics when it dies). */
  get shellErrors(): string {
    return this.stderrBuf.trim();
  }

  private pump(): void {
    const m = /__DT_DONE \d+ \d+\n/.exec(this.stdoutBuf);
    if (!m) return;
    const line = m[0].trim();
    this.stdoutBuf = this.stdoutBuf.slice(m.index + m[0].length);
    const w = this.waiter;
    this.waiter = null;
    w?.(line);
  }

  /** Output the block has written so far (background jobs may still add to it). */
  outputOf(n: number): string {
    const f = join(this.harness, `o${n}`);
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** Runs one block; resolves when its last command finished, the timeout passed, or the shell died. */
  async run(code: string, timeoutMs: number): Promise<BlockResult & { n: number }> {
    const n = ++this.n;
    writeFileSync(join(this.harness, `b${n}.sh`), code.endsWith('\n') ? code : `${code}\n`);
    const empty = { status: -1, unshown: [], newJobs: [] };
    if (this.exited !== null) return { n, kind: 'shell-exited', output: '', ...empty };
    const done = new Promise<string | null | 'timeout'>((resolve) => {
      const timer = setTimeout(() => { this.waiter = null; resolve('timeout'); }, timeoutMs);
      this.waiter = (line) => { clearTimeout(timer); resolve(line); };
    });
    this.child.stdin!.write(`set -T; trap __dt_err ERR; trap __dt_dbg DEBUG; source "$__DT/b${n}.sh" > "$__DT/o${n}" 2>&1 < /dev/null; __dt_done $? ${n}\n`);
    const line = await done;
    if (line === 'timeout') return { n, kind: 'timeout', output: this.outputOf(n), ...empty };
    if (line === null) return { n, kind: 'shell-exited', output: this.outputOf(n), ...empty };
    const status = Number(line.split(' ')[2]);
    const unshown = readFileSync(join(this.harness, `r${n}`), 'utf8')
      .split('\x1e')
      .filter(Boolean)
      .map((e): [number, string] => {
        const tab = e.indexOf('\t');
        return [Number(e.slice(0, tab)), e.slice(tab + 1)];
      });
    const running = readFileSync(join(this.harness, `j${n}`), 'utf8').split('\n').filter(Boolean).map(Number);
    const newJobs = running.filter((p) => !this.jobs.has(p));
    this.jobs = new Set(running);
    return { n, kind: 'done', status, unshown, output: this.outputOf(n), newJobs };
  }

  private groupAlive(): boolean {
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  private groupMembers(): string[] {
    const ps = spawnSync('ps', ['-o', 'pid=,args=', '-g', String(this.pid)], { encoding: 'utf8' });
    return (ps.stdout ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  }

  private async waitGroupGone(ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (this.groupAlive()) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 25));
    }
    return true;
  }

  /** Stops everything the session started and removes its scratch directory. */
  async close(graceMs = 5000): Promise<CloseResult> {
    let killed: string[] = [];
    if (this.groupAlive()) {
      try { process.kill(-this.pid, 'SIGTERM'); } catch { /* gone meanwhile */ }
      if (!(await this.waitGroupGone(graceMs))) {
        killed = this.groupMembers();
        try { process.kill(-this.pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
        await this.waitGroupGone(graceMs);
      }
    }
    if (this.groupAlive()) killed.push(`process group ${this.pid} survived SIGKILL`);
    rmSync(this.root, { recursive: true, force: true });
    return { killed };
  }
}
