// Helpers shared by the project's scripts (build, start, test). Plain ESM, no dependencies.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const distDir = join(root, 'dist');
export const buildStamp = join(distDir, '.onramp-build');

/** Everything the built site depends on. */
const INPUTS = ['content', 'src', 'labs', 'public', 'astro.config.mjs', 'package-lock.json', 'tsconfig.json'];
const SKIP = new Set(['node_modules', 'dist', '.astro', '.onramp']);

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) {
    if (SKIP.has(name)) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** True when there is no build, or a source file changed after the last one. */
export function buildIsStale() {
  if (!existsSync(buildStamp)) return true;
  const built = statSync(buildStamp).mtimeMs;
  return INPUTS.some((p) => newestMtime(join(root, p)) > built);
}

/** Runs a command with inherited output; resolves with its exit code. */
export function run(command, args, options = {}) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options, env: { ...process.env, ...options.env } });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      done(code ?? (signal ? 1 : 0));
    });
  });
}

export function bin(name) {
  return join(root, 'node_modules', '.bin', name);
}

/** Node flags so TypeScript sources run directly (type stripping is on by default from Node 23.6). */
export const nodeTsFlags = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
