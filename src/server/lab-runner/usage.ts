/**
 * What a sandboxed session uses, measured from the host without cgroups: its processes and
 * threads and their resident memory (every process in the sandbox's PID namespace), and the bytes
 * in its folder. The runner stops a session over a limit; it never follows a symlink while
 * measuring.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxLimits, SandboxUsage } from './sandbox.ts';

const PAGE = 4096;

/** Threads and resident bytes of every live (not zombie) process whose PID namespace is `pidns` (e.g. `pid:[4026532182]`). */
export function namespaceUsage(pidns: string): { processes: number; threads: number; memoryBytes: number; pids: number[] } {
  let processes = 0;
  let threads = 0;
  let memoryBytes = 0;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) > 57) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/pid`) !== pidns) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state): num_threads is field 20, rss field 24. A zombie is done;
      // its parent reaps it (or, for an orphan, the host's PID 1).
      if (fields[0] === 'Z') continue;
      threads += Number(fields[17]) || 1;
      memoryBytes += (Number(fields[21]) || 0) * PAGE;
      processes++;
      pids.push(Number(name));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return { processes, threads, memoryBytes, pids };
}

/** Bytes allocated under `dir` (st_blocks), counting at most `maxEntries` entries; Infinity beyond. */
export async function folderBytes(dir: string, maxEntries = 200_000): Promise<number> {
  let total = 0;
  let entries = 0;
  const stack = [dir];
  while (stack.length) {
    const current = stack.pop()!;
    let names;
    try {
      names = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of names) {
      if (++entries > maxEntries) return Infinity;
      const full = join(current, e.name);
      try {
        const info = await lstat(full);
        total += info.blocks * 512;
        if (info.isDirectory()) stack.push(full);
      } catch {
        /* removed meanwhile */
      }
    }
  }
  return total;
}

const MB = 2 ** 20;

/** Why a session must stop, or null while it is within its limits. */
export function overLimit(usage: SandboxUsage, limits: SandboxLimits): string | null {
  if (usage.diskBytes > limits.diskBytes) {
    const used = Number.isFinite(usage.diskBytes) ? `${Math.round(usage.diskBytes / MB)} MB` : 'too many files';
    return `the lab folder is over its quota (${used}; the limit is ${Math.round(limits.diskBytes / MB)} MB)`;
  }
  if (usage.memoryBytes > limits.sessionMemoryBytes) {
    return `the lab's processes use ${Math.round(usage.memoryBytes / MB)} MB of memory; the limit is ${Math.round(limits.sessionMemoryBytes / MB)} MB`;
  }
  if (usage.processes >= limits.processes - 4) return `the lab runs ${usage.processes} processes and threads; the limit is ${limits.processes}`;
  return null;
}

/** Hands a seeded folder to the sandbox's user (the service writes it as itself first). */
export async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await lchown(dir, uid, gid);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await chownTree(full, uid, gid);
    else await lchown(full, uid, gid);
  }
}
