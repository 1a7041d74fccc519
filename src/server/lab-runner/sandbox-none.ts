/**
 * No sandbox: the session's processes run as the service's own user in the session folder, as
 * before sandboxes existed. Processes are found by their environment marker and POSIX session ids
 * (processes.ts). Only for a service that listens on loopback (main.ts refuses anything else).
 */
import { connect } from 'node:net';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { killSession, listeningSockets, sessionPids, sessionPorts, SESSION_ENV } from './processes.ts';
import type { LabSandbox, SandboxCommand, SandboxLimits, SandboxSession, SandboxUsage } from './sandbox.ts';
import { folderBytes } from './usage.ts';

export class NoSandbox implements LabSandbox {
  readonly kind = 'none' as const;
  readonly confined = false;
  readonly exited = new Promise<string>(() => {});
  /** POSIX session ids of the processes started here (each is its own session leader). */
  readonly sids = new Set<number>();

  private readonly session: SandboxSession;
  private readonly limits: SandboxLimits;

  constructor(session: SandboxSession, limits: SandboxLimits) {
    this.session = session;
    this.limits = limits;
  }

  readonly nodeBinDir = dirname(process.execPath);

  get labDir(): string {
    return this.session.dir;
  }

  get rcFile(): string {
    return `${this.session.root}/bashrc`;
  }

  async start(): Promise<void> {}

  command(argv: string[], env: Record<string, string>): SandboxCommand {
    return { file: argv[0]!, args: argv.slice(1), env: { ...env, [SESSION_ENV]: this.session.id }, cwd: this.session.dir };
  }

  /** Called with the PID of each spawned session leader (the shell, each command). */
  started(pid: number | undefined): void {
    if (pid) this.sids.add(pid);
  }

  async ports(): Promise<Set<number>> {
    return sessionPorts(sessionPids(this.session.id, this.sids), listeningSockets());
  }

  async connect(port: number): Promise<Duplex> {
    return connect(port, '127.0.0.1');
  }

  async usage(): Promise<SandboxUsage> {
    return { processes: 0, memoryBytes: 0, diskBytes: this.limits.diskBytes > 0 ? await folderBytes(this.session.dir) : 0 };
  }

  async destroy(): Promise<void> {
    await killSession(this.session.id, this.sids);
  }
}
