/**
 * The container driver: one container per session through the `docker` or `podman` CLI, with an
 * image of the platform team's choice (it must have bash, coreutils and node). The container has
 * no network but its loopback, runs as an unprivileged user with every capability dropped, a
 * read-only root, a size-limited /tmp, cgroup limits on processes and memory, and the session
 * folder mounted at /lab. The shell, checks and file operations are `exec`s into it; previews go
 * through the same unix-socket bridge as with bubblewrap (the folder is a bind mount).
 *
 * How this maps onto Kubernetes (one pod per session, for teams that outgrow one machine):
 * start → create a pod (securityContext runAsNonRoot, readOnlyRootFilesystem, drop ALL; resources
 * limits; a NetworkPolicy denying egress; an emptyDir with sizeLimit at /lab); command → `kubectl
 * exec -i [-t]` (or the exec API over a WebSocket); ports → read /proc/net/tcp through exec;
 * connect → the bridge reached by `kubectl port-forward` or a sidecar; destroy → delete the pod.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { BRIDGE_SOCKET, BRIDGE_SOURCE, connectThroughBridge, secureBridgeSocket } from './sandbox-bridge.ts';
import { parseListening } from './processes.ts';
import type { CommandOptions, LabSandbox, SandboxCommand, SandboxLimits, SandboxSession, SandboxUsage } from './sandbox.ts';
import { SandboxError } from './sandbox.ts';
import { chownTree, folderBytes } from './usage.ts';

export interface ContainerSettings {
  /** `docker`, `podman`, or a path to either. */
  cli: string;
  image: string;
  /** User the container runs as (uid:gid). */
  user: string;
  /** Where node is in the image. */
  nodeBinDir: string;
}

export function containerSettings(env: NodeJS.ProcessEnv = process.env): ContainerSettings {
  return {
    cli: env.ONRAMP_LAB_CONTAINER_CLI || 'docker',
    image: env.ONRAMP_LAB_CONTAINER_IMAGE || 'node:24-bookworm-slim',
    user: env.ONRAMP_LAB_CONTAINER_USER || '65534:65534',
    nodeBinDir: env.ONRAMP_LAB_CONTAINER_NODE_DIR || '/usr/local/bin',
  };
}

const LAB = '/lab';
const RC = '/opt/onramp/bashrc';
const START_TIMEOUT_MS = 60_000;

/** The CLI's own environment (DOCKER_HOST…), without the service's secrets; the container gets only `-e` variables. */
export function cliEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/TOKEN|PASSWORD|SECRET|DATABASE_URL/i.test(k)) env[k] = v;
  return env;
}

/** Runs the CLI to completion: exit code and output. */
export function runCli(cli: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv() });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => resolve({ code: null, out: e.message }));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** `run` arguments for a session's container. */
export function containerRunArgs(settings: ContainerSettings, session: SandboxSession, limits: SandboxLimits, name: string): string[] {
  return [
    'run', '-d', '--rm', '--name', name, '--label', `onramp.session=${session.id}`,
    '--network', 'none', '--user', settings.user, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    '--read-only', '--tmpfs', `/tmp:rw,nosuid,nodev,size=${limits.tmpBytes}`,
    '--pids-limit', String(limits.processes), '--memory', String(limits.sessionMemoryBytes), '--cpus', '1',
    '--ulimit', `nofile=${limits.openFiles}`, '--ulimit', `fsize=${limits.fileBytes}`, '--ulimit', `cpu=${limits.cpuSeconds}`,
    '-v', `${session.dir}:${LAB}`, '-v', `${join(session.root, 'bashrc')}:${RC}:ro`, '-w', LAB, '-e', `HOME=${LAB}`,
    settings.image, 'node', '-e', BRIDGE_SOURCE, `${LAB}/${BRIDGE_SOCKET}`,
  ];
}

export class ContainerSandbox implements LabSandbox {
  readonly kind = 'container' as const;
  readonly labDir = LAB;
  readonly rcFile = RC;
  readonly confined = true;
  readonly nodeBinDir: string;
  readonly exited: Promise<string>;
  readonly name: string;
  private bridge: Promise<string> | null = null;
  private waiter: ChildProcess | null = null;
  private resolveExit!: (reason: string) => void;
  private destroyed = false;

  private readonly settings: ContainerSettings;
  private readonly session: SandboxSession;
  private readonly limits: SandboxLimits;

  constructor(settings: ContainerSettings, session: SandboxSession, limits: SandboxLimits) {
    this.settings = settings;
    this.session = session;
    this.limits = limits;
    this.nodeBinDir = settings.nodeBinDir;
    this.name = `onramp-lab-${session.id.replace(/[^A-Za-z0-9]/g, '').toLowerCase()}`;
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  async start(): Promise<void> {
    await chmod(this.session.root, 0o711);
    await chmod(join(this.session.root, 'bashrc'), 0o644);
    const [uid, gid] = this.settings.user.split(':').map(Number);
    if (process.getuid?.() === 0 && uid) await chownTree(this.session.dir, uid, gid ?? uid);
    const started = await runCli(this.settings.cli, containerRunArgs(this.settings, this.session, this.limits, this.name));
    if (started.code !== 0) throw new SandboxError(`${this.settings.cli} could not start the lab's container: ${started.out.trim().slice(-500)}`);
    this.waiter = spawn(this.settings.cli, ['wait', this.name], { stdio: 'ignore', env: cliEnv() });
    this.waiter.on('close', () => this.resolveExit(this.destroyed ? 'closed' : "the lab's container stopped"));
    this.bridge = this.waitForBridge();
    this.bridge.catch(() => {});
  }

  private async waitForBridge(): Promise<string> {
    const path = join(this.session.dir, BRIDGE_SOCKET);
    for (let waited = 0; waited < START_TIMEOUT_MS; waited += 50) {
      if (existsSync(path)) return secureBridgeSocket(this.session.dir, this.session.root);
      if (this.destroyed) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new SandboxError('the preview bridge did not start in the container');
  }

  command(argv: string[], env: Record<string, string>, { tty = false }: CommandOptions = {}): SandboxCommand {
    const vars = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    return { file: this.settings.cli, args: ['exec', '-i', ...(tty ? ['-t'] : []), '-w', LAB, ...vars, this.name, ...argv], env: cliEnv(), cwd: '/' };
  }

  async ports(): Promise<Set<number>> {
    const r = await runCli(this.settings.cli, ['exec', this.name, 'cat', '/proc/net/tcp', '/proc/net/tcp6']);
    return new Set(parseListening(r.out).values());
  }

  async connect(port: number): Promise<Duplex> {
    if (!this.bridge) throw new SandboxError('the container is not running');
    return connectThroughBridge(await this.bridge, port);
  }

  async usage(): Promise<SandboxUsage> {
    // Processes and memory are held by the container's cgroup (--pids-limit, --memory).
    return { processes: 0, memoryBytes: 0, diskBytes: await folderBytes(this.session.dir) };
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    await runCli(this.settings.cli, ['rm', '-f', this.name]);
    this.waiter?.kill();
  }
}
