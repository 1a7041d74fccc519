/**
 * Choosing the sandbox driver: `ONRAMP_LAB_SANDBOX=auto` (default: bubblewrap where it works,
 * else none), `bubblewrap`, `container` (ONRAMP_LAB_CONTAINER_CLI, ONRAMP_LAB_CONTAINER_IMAGE) or
 * `none`. Limits come from ONRAMP_LAB_* variables (see README).
 */
import { BwrapSandbox } from './sandbox-bwrap.ts';
import { bwrapHost, probeBwrap, type BwrapHost } from './sandbox-bwrap-host.ts';
import { ContainerSandbox, containerSettings } from './sandbox-container.ts';
import { NoSandbox } from './sandbox-none.ts';
import { DEFAULT_LIMITS, SandboxError, type SandboxDriver, type SandboxKind, type SandboxLimits } from './sandbox.ts';

export function noSandbox(limits: SandboxLimits = DEFAULT_LIMITS): SandboxDriver {
  return { kind: 'none', limits, confining: false, create: (s) => new NoSandbox(s, limits) };
}

export function bwrapDriver(host: BwrapHost, limits: SandboxLimits = DEFAULT_LIMITS): SandboxDriver {
  return { kind: 'bubblewrap', limits, confining: true, create: (s) => new BwrapSandbox(host, s, limits) };
}

let probed: { host: BwrapHost } | { why: string } | undefined;

/** The bubblewrap host when a trial sandbox starts here, else why not (probed once per process). */
export function bubblewrapHere(env: NodeJS.ProcessEnv = process.env): { host: BwrapHost } | { why: string } {
  if (probed) return probed;
  const host = bwrapHost(env);
  if (typeof host === 'string') return (probed = { why: host });
  const why = probeBwrap(host);
  return (probed = why ? { why } : { host });
}

export interface SandboxChoice {
  driver: SandboxDriver;
  /** Set when `auto` fell back to no sandbox: why. */
  fallback?: string;
}

export function chooseSandbox(kind: SandboxKind | 'auto', limits: SandboxLimits, env: NodeJS.ProcessEnv = process.env): SandboxChoice {
  if (kind === 'none') return { driver: noSandbox(limits) };
  if (kind === 'container') {
    const settings = containerSettings(env);
    return { driver: { kind: 'container', limits, confining: true, create: (s) => new ContainerSandbox(settings, s, limits) } };
  }
  const here = bubblewrapHere(env);
  if ('host' in here) return { driver: bwrapDriver(here.host, limits) };
  if (kind === 'bubblewrap') throw new SandboxError(`ONRAMP_LAB_SANDBOX=bubblewrap, but ${here.why}`);
  return { driver: noSandbox(limits), fallback: here.why };
}

const MB = 2 ** 20;

/** Limits from the environment; each variable is checked and named on error. */
export function limitsFromEnv(int: (name: string, fallback: number, min: number, max: number) => number): SandboxLimits {
  const d = DEFAULT_LIMITS;
  return {
    processes: int('ONRAMP_LAB_MAX_PROCESSES', d.processes, 32, 100_000),
    processMemoryBytes: int('ONRAMP_LAB_PROCESS_MEMORY_MB', d.processMemoryBytes / MB, 1024, 1_048_576) * MB,
    sessionMemoryBytes: int('ONRAMP_LAB_MEMORY_MB', d.sessionMemoryBytes / MB, 64, 1_048_576) * MB,
    cpuSeconds: int('ONRAMP_LAB_CPU_SECONDS', d.cpuSeconds, 10, 1_000_000),
    fileBytes: int('ONRAMP_LAB_FILE_MB', d.fileBytes / MB, 1, 1_048_576) * MB,
    openFiles: int('ONRAMP_LAB_OPEN_FILES', d.openFiles, 64, 1_048_576),
    diskBytes: int('ONRAMP_LAB_DISK_MB', d.diskBytes / MB, 16, 1_048_576) * MB,
    tmpBytes: int('ONRAMP_LAB_TMP_MB', d.tmpBytes / MB, 1, 1_048_576) * MB,
  };
}
