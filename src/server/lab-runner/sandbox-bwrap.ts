/**
 * The bubblewrap driver (Debian's `bubblewrap`; no daemon, no setuid). Each session gets:
 * - its own mount view: /usr (with /bin, /lib…) and a few files of /etc read-only, the Node
 *   binary read-only at /opt/node/bin, the session folder read-write at /lab, a private
 *   size-limited /tmp and /dev/shm, and nothing else: no /home, /root, /work, /var, no other
 *   session, no database or configuration of the service;
 * - its own PID, IPC, UTS and network namespaces (only its own loopback);
 * - an unprivileged user: when the service runs as root, bwrap is started as `nobody`
 *   (setpriv), so the session's processes are not root on the host either;
 * - limits (prlimit) on processes, address space, CPU time, file size and open files, and niceness.
 *
 * The sandbox's first process holds it open; the shell, checks, file operations and the preview
 * bridge enter the same namespaces with nsenter, started as the same unprivileged user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { BRIDGE_SOCKET, BRIDGE_SOURCE, connectThroughBridge, secureBridgeSocket } from './sandbox-bridge.ts';
import { listeningSockets } from './processes.ts';
import type { CommandOptions, LabSandbox, SandboxCommand, SandboxLimits, SandboxSession, SandboxUsage } from './sandbox.ts';
import { SandboxError } from './sandbox.ts';
import { chownTree, folderBytes, namespaceUsage } from './usage.ts';
import { rootDirArgs, type BwrapHost } from './sandbox-bwrap-host.ts';

export const LAB_DIR = '/lab';
const SUPPORT = '/opt/onramp';
const NODE_DIR = '/opt/node/bin';
const START_TIMEOUT_MS = 20_000;

/** Files of /etc the sandbox sees (read-only); passwd, group and hosts are the session's own. */
const ETC = ['alternatives', 'ssl', 'ca-certificates', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'localtime', 'nsswitch.conf', 'os-release', 'mime.types', 'inputrc', 'bash.bashrc', 'terminfo', 'protocols', 'services'];

/** prlimit (and nice, for the learner's own programs) before a program inside the sandbox. */
export function prlimitArgs(limits: SandboxLimits, nice = true): string[] {
  const args = [
    '/usr/bin/prlimit',
    `--nproc=${limits.processes}`,
    `--as=${limits.processMemoryBytes}`,
    `--cpu=${limits.cpuSeconds}`,
    `--fsize=${limits.fileBytes}`,
    `--nofile=${limits.openFiles}`,
    '--core=0',
    '--',
  ];
  return nice ? [...args, '/usr/bin/nice', '-n', '10'] : args;
}

/** bwrap's arguments for one session (before `--` and the command). */
export function bwrapArgs(host: BwrapHost, session: SandboxSession, limits: SandboxLimits): string[] {
  const args = ['--unshare-all', '--unshare-user', '--die-with-parent', '--new-session', '--hostname', 'lab'];
  args.push('--ro-bind', '/usr', '/usr');
  args.push(...rootDirArgs(host));
  for (const name of ETC) args.push('--ro-bind-try', `/etc/${name}`, `/etc/${name}`);
  for (const name of ['passwd', 'group', 'hosts']) args.push('--ro-bind', join(session.root, `etc-${name}`), `/etc/${name}`);
  args.push('--proc', '/proc');
  for (const dev of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) args.push('--dev-bind', `/dev/${dev}`, `/dev/${dev}`);
  args.push('--symlink', '/proc/self/fd', '/dev/fd', '--symlink', '/proc/self/fd/0', '/dev/stdin', '--symlink', '/proc/self/fd/1', '/dev/stdout', '--symlink', '/proc/self/fd/2', '/dev/stderr');
  args.push('--size', String(limits.tmpBytes), '--tmpfs', '/dev/shm', '--size', String(limits.tmpBytes), '--tmpfs', '/tmp', '--dir', '/var/tmp');
  args.push('--ro-bind', host.nodeDir, NODE_DIR);
  args.push('--ro-bind', join(session.root, 'bashrc'), `${SUPPORT}/bashrc`);
  args.push('--bind', session.dir, LAB_DIR, '--chdir', LAB_DIR);
  args.push('--clearenv', '--setenv', 'PATH', `${NODE_DIR}:/usr/bin`, '--setenv', 'HOME', LAB_DIR);
  return args;
}

export class BwrapSandbox implements LabSandbox {
  readonly kind = 'bubblewrap' as const;
  readonly labDir = LAB_DIR;
  readonly rcFile = `${SUPPORT}/bashrc`;
  readonly nodeBinDir = NODE_DIR;
  readonly confined = true;
  readonly exited: Promise<string>;
  private child: ChildProcess | null = null;
  private pid = 0;
  private pidns = '';
  /** The preview bridge's (secured) socket, once started; it starts with the first preview. */
  private bridge: Promise<string> | null = null;
  private resolveExit!: (reason: string) => void;
  private destroyed = false;

  private readonly host: BwrapHost;
  private readonly session: SandboxSession;
  private readonly limits: SandboxLimits;

  constructor(host: BwrapHost, session: SandboxSession, limits: SandboxLimits) {
    this.host = host;
    this.session = session;
    this.limits = limits;
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  private async writeSupportFiles(): Promise<void> {
    const { root } = this.session;
    const { uid, gid } = this.host.sandboxUser;
    await chmod(root, 0o711);
    await writeFile(join(root, 'etc-passwd'), `root:x:0:0:root:/root:/usr/sbin/nologin\nlab:x:${uid}:${gid}:lab:${LAB_DIR}:/bin/bash\n`, { mode: 0o644 });
    await writeFile(join(root, 'etc-group'), `root:x:0:\nlab:x:${gid}:\n`, { mode: 0o644 });
    await writeFile(join(root, 'etc-hosts'), '127.0.0.1 localhost lab\n::1 localhost ip6-localhost\n', { mode: 0o644 });
    await chmod(join(root, 'bashrc'), 0o644);
    if (this.host.asRoot) await chownTree(this.session.dir, uid, gid);
  }

  async start(): Promise<void> {
    await this.writeSupportFiles();
    // The sandbox's first process only holds it open. `up` is printed once the sandbox is set up
    // (bwrap reports its PID earlier, mid-setup).
    const hold = ['/bin/sh', '-c', 'echo up; exec sleep infinity'];
    const argv = [...this.host.dropPrivileges, this.host.bwrap, ...bwrapArgs(this.host, this.session, this.limits), '--info-fd', '3', '--', ...prlimitArgs(this.limits), ...hold];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: {} });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const up = new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('up') && resolve()));
    child.on('exit', (code, signal) => {
      this.resolveExit(this.destroyed ? 'closed' : `the lab's sandbox stopped (${signal ?? `exit ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`);
    });
    const [pid] = await Promise.all([this.childPid(child, () => stderr), Promise.race([up, this.exited])]);
    this.pid = pid;
    this.pidns = readlinkSync(`/proc/${this.pid}/ns/pid`);
  }

  /** Starts the preview bridge inside (saving its ~40 MB until a preview needs it); its socket's path. */
  private startBridge(): Promise<string> {
    const cmd = this.command([`${NODE_DIR}/node`, '-e', BRIDGE_SOURCE, `${LAB_DIR}/${BRIDGE_SOCKET}`], { PATH: `${NODE_DIR}:/usr/bin` }, { service: true });
    const bridge = spawn(cmd.file, cmd.args, { cwd: cmd.cwd, env: cmd.env, stdio: ['ignore', 'pipe', 'ignore'] });
    const ready = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SandboxError('the preview bridge did not start')), START_TIMEOUT_MS);
      bridge.stdout!.on('data', (d: Buffer) => {
        if (!d.toString().includes('ready')) return;
        clearTimeout(timer);
        secureBridgeSocket(this.session.dir, this.session.root).then(resolve, reject);
      });
      bridge.on('exit', () => {
        clearTimeout(timer);
        reject(new SandboxError('the preview bridge stopped'));
        forget(); // the next preview starts another
      });
    });
    const forget = () => {
      if (this.bridge === ready) this.bridge = null;
    };
    ready.catch(forget);
    return ready;
  }

  /** The host PID of the sandbox's first process, from bwrap's --info-fd. */
  private childPid(child: ChildProcess, stderr: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
      let info = '';
      const timer = setTimeout(() => fail('bubblewrap did not start in time'), START_TIMEOUT_MS);
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new SandboxError(`${why}${stderr() ? `: ${stderr().trim()}` : ''}`));
      };
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
        info += d.toString();
        const m = /"child-pid":\s*(\d+)/.exec(info);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', () => setTimeout(() => fail('bubblewrap exited'), 50));
    });
  }

  command(argv: string[], env: Record<string, string>, options: CommandOptions = {}): SandboxCommand {
    if (!this.pid) throw new SandboxError('the sandbox is not running');
    const enter = [this.host.nsenter, '-t', String(this.pid), '-U', '-m', '-p', '-n', '-i', '-u', '--preserve-credentials', '-r', '-w', '--'];
    const all = [...this.host.dropPrivileges, ...enter, ...prlimitArgs(this.limits, !options.service), ...argv];
    return { file: all[0]!, args: all.slice(1), env, cwd: '/' };
  }

  async ports(): Promise<Set<number>> {
    if (!this.pid) return new Set();
    return new Set(listeningSockets(String(this.pid)).values());
  }

  async connect(port: number): Promise<Duplex> {
    for (let attempt = 0; ; attempt++) {
      if (!this.pid || this.destroyed) throw new SandboxError('the sandbox is not running');
      const bridge = (this.bridge ??= this.startBridge());
      const socket = connectThroughBridge(await bridge, port);
      const error = await new Promise<Error | null>((resolve) => {
        socket.once('connect', () => resolve(null));
        socket.once('error', resolve);
      });
      if (!error) return socket;
      // The learner may have killed the bridge: start another, once.
      if (this.bridge === bridge) this.bridge = null;
      if (attempt > 0) throw error;
    }
  }

  async usage(): Promise<SandboxUsage> {
    const inside = this.pidns ? namespaceUsage(this.pidns) : { threads: 0, memoryBytes: 0 };
    return { processes: inside.threads, memoryBytes: inside.memoryBytes, diskBytes: await folderBytes(this.session.dir) };
  }

  /**
   * Kills the session's processes first, while the sandbox's init still reaps them, then the init.
   * (Killing the init first leaves the kernel waiting for every orphan to be reaped by the host's
   * PID 1, which in a container may never happen.)
   */
  async destroy(): Promise<void> {
    this.destroyed = true;
    for (let round = 0; round < 100 && this.pidns; round++) {
      const others = namespaceUsage(this.pidns).pids.filter((pid) => pid !== this.pid);
      if (others.length === 0) break;
      for (const pid of others) killIfIn(pid, this.pidns);
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const pid of [this.pid, this.child?.pid]) {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (let i = 0; i < 200 && this.pidns && namespaceUsage(this.pidns).processes > 0; i++) await new Promise((r) => setTimeout(r, 25));
  }
}

/** SIGKILL to `pid` if it is (still) in the PID namespace `pidns`. */
function killIfIn(pid: number, pidns: string): void {
  try {
    if (readlinkSync(`/proc/${pid}/ns/pid`) === pidns) process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}
