/**
 * Where a lab session's processes run. One interface, three drivers (JupyterHub's spawners are the
 * model): `bubblewrap` (the default on Linux: namespaces, no daemon), `container` (docker/podman
 * CLI, the path to scale) and `none` (the service's own user; loopback-only services).
 *
 * The session seeds its folder on the host, then `start()`s the sandbox around it. Every process of
 * the session — the shell in its pty, checks, `exec`, the file operations of the editor — is started
 * with `command()`, so all of them share one sandbox (one loopback, one process table, one folder).
 */
import type { Duplex } from 'node:stream';

export interface SandboxLimits {
  /** Processes and threads inside the sandbox (RLIMIT_NPROC, counted per sandbox). */
  processes: number;
  /** Address space of each process (RLIMIT_AS). */
  processMemoryBytes: number;
  /** Resident memory of all the session's processes together; over it, the session is stopped. */
  sessionMemoryBytes: number;
  /** CPU seconds of each process (RLIMIT_CPU). */
  cpuSeconds: number;
  /** Largest file a process may write (RLIMIT_FSIZE). */
  fileBytes: number;
  /** Open files per process (RLIMIT_NOFILE). */
  openFiles: number;
  /** Bytes in the session folder; over it, the session is stopped. */
  diskBytes: number;
  /** Size of the private /tmp (and /dev/shm). */
  tmpBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  processes: 256,
  processMemoryBytes: 3 * 2 ** 30,
  sessionMemoryBytes: 1.5 * 2 ** 30,
  cpuSeconds: 900,
  fileBytes: 128 * 2 ** 20,
  openFiles: 1024,
  diskBytes: 512 * 2 ** 20,
  tmpBytes: 64 * 2 ** 20,
};

export interface CommandOptions {
  /** It will run on a pseudo-terminal (the shell). */
  tty?: boolean;
  /** Started by the service for itself (file operations, the bridge): not lowered in priority. */
  service?: boolean;
}

/** How to start one program inside the sandbox; the caller spawns it (node-pty or child_process). */
export interface SandboxCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  /** Working directory of the spawned program on the host. */
  cwd: string;
}

export interface SandboxUsage {
  processes: number;
  memoryBytes: number;
  diskBytes: number;
}

/** Paths of one session on the host: `root` is the service's, `dir` (inside it) the learner's. */
export interface SandboxSession {
  id: string;
  root: string;
  dir: string;
}

export interface LabSandbox {
  readonly kind: SandboxKind;
  /** The lab folder as the session's processes see it. */
  readonly labDir: string;
  /** The shell's rc file, as the session's processes see it. */
  readonly rcFile: string;
  /** The folder of the `node` binary, as the session's processes see it. */
  readonly nodeBinDir: string;
  /** Prepares the seeded folder (ownership) and starts the sandbox around it. */
  start(): Promise<void>;
  /** How to start argv inside; `tty` when it will run on a pseudo-terminal (the shell). */
  command(argv: string[], env: Record<string, string>, options?: CommandOptions): SandboxCommand;
  /** Told the host PID of each program spawned from `command()`. */
  started?(pid: number | undefined): void;
  /** TCP ports listening inside (servers the learner started). */
  ports(): Promise<Set<number>>;
  /** A stream to a port inside the sandbox's loopback (for the preview proxy). */
  connect(port: number): Promise<Duplex>;
  usage(): Promise<SandboxUsage>;
  /** True when the sandbox confines its processes (file operations then run inside it). */
  readonly confined: boolean;
  /** Settles with a reason when the sandbox stops by itself. */
  readonly exited: Promise<string>;
  /** Kills everything inside. The session removes its folder afterwards. */
  destroy(): Promise<void>;
}

export type SandboxKind = 'bubblewrap' | 'container' | 'none';

export interface SandboxDriver {
  readonly kind: SandboxKind;
  readonly limits: SandboxLimits;
  /** Confines learners (false only for `none`): whether the service may listen beyond loopback. */
  readonly confining: boolean;
  create(session: SandboxSession): LabSandbox;
}

export class SandboxError extends Error {}
