// What the service benchmarks share: their arguments, the real service process, and a
// PostgreSQL schema of their own.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** `--name value` from the command line, as a number. */
export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The PostgreSQL server to measure too, if one is given. */
export const PG_URL = process.env.ONRAMP_BENCH_DATABASE_URL || process.env.ONRAMP_TEST_DATABASE_URL || '';

/**
 * Starts src/server/main.ts on a free loopback port with `env` on top of the defaults (no rate
 * limit: the load comes from one address); resolves with the process and its base URL.
 * BENCH_PROF=dir writes its CPU profiles there; BENCH_STDERR=1 shows what it logs.
 */
export function startService(env) {
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--experimental-strip-types', '--disable-warning=ExperimentalWarning', join(ROOT, 'src/server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ONRAMP_RATE_LIMIT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((done, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving .* on (http:\/\/[^/\s]+)\//.exec(out);
      if (m) done({ child, base: m[1].replace('localhost', '127.0.0.1') });
    });
    child.stderr.on('data', (d) => {
      out += d;
      if (process.env.BENCH_STDERR) process.stderr.write(d);
    });
    child.on('exit', (code) => fail(new Error(`service exited ${code}:\n${out}`)));
  });
}

export const stopService = (child) => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM')));

/**
 * A fresh schema on PG_URL for one run: `url` points the service at it, `admin` reads it, and
 * `drop()` removes it and disconnects.
 */
export async function pgSchema(prefix) {
  const schema = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    schema,
    url,
    admin,
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
