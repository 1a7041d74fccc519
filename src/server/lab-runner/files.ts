/**
 * File access inside a session directory: relative paths only, no `..`, and no following a
 * symlink out of the directory (parents are resolved with realpath; the file itself is opened
 * with O_NOFOLLOW for writing).
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';

export class PathError extends Error {}

export function checkRelative(path: string): string[] {
  if (typeof path !== 'string' || path.length === 0 || path.length > 1024) throw new PathError('a file path is required');
  if (path.includes('\0') || path.includes('\\')) throw new PathError(`invalid path: ${JSON.stringify(path)}`);
  if (path.startsWith('/')) throw new PathError(`absolute paths are not allowed: ${path}`);
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw new PathError('a file path is required');
  if (parts.includes('..')) throw new PathError(`paths may not contain "..": ${path}`);
  return parts;
}

async function inside(root: string, full: string): Promise<boolean> {
  const real = await realpath(full);
  return real === root || real.startsWith(root + sep);
}

/** `root` must itself be a real path (no symlinks). */
export async function readInside(root: string, path: string): Promise<Buffer> {
  const full = join(root, ...checkRelative(path));
  if (!(await inside(root, full))) throw new PathError(`${path} points outside the lab`);
  return readFile(full);
}

export async function writeInside(root: string, path: string, data: Buffer): Promise<void> {
  const parts = checkRelative(path);
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    let info;
    try {
      info = await lstat(dir);
    } catch {
      await mkdir(dir);
      continue;
    }
    if (info.isSymbolicLink() || !info.isDirectory()) throw new PathError(`${path}: ${part} is not a folder inside the lab`);
  }
  const full = join(dir, parts.at(-1)!);
  if (!(await inside(root, dirname(full)))) throw new PathError(`${path} points outside the lab`);
  let handle;
  try {
    handle = await open(full, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new PathError(`${path} is a symbolic link; it cannot be written`);
    throw error;
  }
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

const HIDDEN = new Set(['node_modules', '.git']);

/** Files of the lab (relative paths), without node_modules. */
export async function listInside(root: string, limit = 2000): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (out.length >= limit || HIDDEN.has(e.name)) continue;
      const rel = prefix + e.name;
      if (e.isDirectory()) await walk(join(dir, e.name), rel + '/');
      else if (e.isFile()) out.push(rel);
    }
  };
  await walk(root, '');
  return out;
}

const NOFOLLOW_DIR = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

function walkError(error: unknown, path: string): never {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP' || code === 'ENOTDIR') throw new PathError(`${path} goes through a symbolic link, which may point outside the lab; open the file it points to instead`);
  if (code === 'ENOENT') throw new PathError(`no such file: ${path}`);
  throw error;
}

/**
 * Reads a file of a sandboxed session from the host without following any symlink the learner
 * may swap in meanwhile: each folder is opened relative to the one before (through its open
 * descriptor, /proc/self/fd/N/name, as openat would), with O_NOFOLLOW; a FIFO cannot block it.
 */
export async function readNoFollow(root: string, path: string, limit: number): Promise<Buffer> {
  const parts = checkRelative(path);
  let dir = await open(root, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    for (const part of parts.slice(0, -1)) {
      const next = await open(`/proc/self/fd/${dir.fd}/${part}`, NOFOLLOW_DIR).catch((e) => walkError(e, path));
      await dir.close();
      dir = next;
    }
    const file = await open(`/proc/self/fd/${dir.fd}/${parts.at(-1)}`, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((e) => walkError(e, path));
    try {
      const info = await file.stat();
      if (!info.isFile()) throw new PathError(`${path} is not a file`);
      if (info.size > limit) throw new PathError(`${path} is larger than ${limit} bytes`);
      return await file.readFile();
    } finally {
      await file.close();
    }
  } finally {
    await dir.close();
  }
}
