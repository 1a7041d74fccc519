/**
 * Finding a session's processes and the ports they listen on, from /proc (Linux).
 * A process belongs to a session when its environment carries the session's marker
 * (inherited by every descendant) or its POSIX session id is one the lab runner created.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const SESSION_ENV = 'ONRAMP_LAB_SESSION';

function pids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0) out.push(pid);
  }
  return out;
}

/** POSIX session id of a process (field 6 of /proc/<pid>/stat), or null if it is gone. */
function sidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest: state ppid pgrp session …
    return Number(rest[3]);
  } catch {
    return null;
  }
}

function hasMarker(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker);
  } catch {
    return false;
  }
}

/** Every live process of the session. */
export function sessionPids(sessionId: string, sids: Iterable<number>): number[] {
  const marker = `${SESSION_ENV}=${sessionId}`;
  const sidSet = new Set(sids);
  const self = process.pid;
  return pids().filter((pid) => {
    if (pid === self) return false;
    const sid = sidOf(pid);
    if (sid === null) return false;
    return sidSet.has(sid) || hasMarker(pid, marker);
  });
}

/** Listening TCP sockets in the text of /proc/net/tcp or tcp6: inode → port. */
export function parseListening(text: string, out = new Map<string, number>()): Map<string, number> {
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== '0A') continue;
    out.set(cols[9]!, parseInt(cols[1]!.split(':').pop()!, 16));
  }
  return out;
}

/** Listening TCP sockets: inode → port (IPv4 and IPv6), of the network namespace of `/proc/<netOf>`. */
export function listeningSockets(netOf: string = 'self'): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of [`/proc/${netOf}/net/tcp`, `/proc/${netOf}/net/tcp6`]) {
    try {
      parseListening(readFileSync(file, 'utf8'), out);
    } catch {
      /* no IPv6, or the process is gone */
    }
  }
  return out;
}

/** Socket inodes held open by a process. */
export function socketInodes(pid: number): string[] {
  const out: string[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (link.startsWith('socket:[')) out.push(link.slice(8, -1));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** Ports the session's processes listen on. */
export function sessionPorts(pidsOfSession: number[], listening = listeningSockets()): Set<number> {
  const ports = new Set<number>();
  if (listening.size === 0) return ports;
  for (const pid of pidsOfSession) {
    for (const inode of socketInodes(pid)) {
      const port = listening.get(inode);
      if (port !== undefined) ports.add(port);
    }
  }
  return ports;
}

/** SIGTERM every process of the session, then SIGKILL what is left after `graceMs`. */
export async function killSession(sessionId: string, sids: Iterable<number>, graceMs = 1000): Promise<void> {
  const sidList = [...sids];
  const signalAll = (signal: NodeJS.Signals) => {
    const found = sessionPids(sessionId, sidList);
    for (const pid of found) {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
    for (const sid of sidList) {
      try {
        process.kill(-sid, signal);
      } catch {
        /* group gone */
      }
    }
    return found.length;
  };
  if (signalAll('SIGTERM') === 0) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (sessionPids(sessionId, sidList).length === 0) return;
  }
  signalAll('SIGKILL');
  for (let i = 0; i < 20 && sessionPids(sessionId, sidList).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
}
