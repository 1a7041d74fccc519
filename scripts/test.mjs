// `npm test`: unit tests (Vitest), the pages' sessions (docs:test), a type check, a fresh build when
// needed, then browser tests (Playwright on Chromium) against the built site served by the Onramp
// service. Ends with one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from './build.mjs';
import { bin, buildIsStale, nodeTsFlags, root, run } from './lib.mjs';

const reports = join(root, 'test-results');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const only = process.argv.slice(2); // e.g. `npm test -- unit`, `-- docs` or `-- e2e`
const wants = (step) => only.length === 0 || only.includes(step);

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The PostgreSQL store suite needs a server. CI starts one (.ci/run); on a developer's machine with
 * PostgreSQL installed we start a throwaway one here, and without it the suite says it is skipped.
 */
async function startPostgres() {
  if (process.env.ONRAMP_TEST_DATABASE_URL || process.platform !== 'linux') return null;
  const haveServer = ['/usr/lib/postgresql'].some((dir) => existsSync(dir) && readdirSync(dir).some((v) => existsSync(join(dir, v, 'bin', 'initdb'))));
  if (!haveServer) return null;
  const script = join(root, '.ci', 'postgres');
  const env = { ...process.env, ONRAMP_PG_STATE: join(tmpdir(), `onramp-test-postgres-${process.pid}`) };
  const started = spawnSync('bash', [script, 'start'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = /ONRAMP_TEST_DATABASE_URL=(\S+)/.exec(started.stdout ?? '')?.[1];
  if (started.status !== 0 || !url) {
    console.log('Could not start a local PostgreSQL for the store suite; it will be skipped.');
    return null;
  }
  process.env.ONRAMP_TEST_DATABASE_URL = url;
  return () => spawnSync('bash', [script, 'stop'], { env, stdio: 'inherit' });
}

if (wants('unit')) {
  const stopPostgres = await startPostgres();
  // Bundle ramp once up front, so parallel test files do not race to build it on first use.
  const { buildRamp } = await import('../labs/ramp/build.mjs');
  await buildRamp();
  const file = join(reports, 'vitest.json');
  const code = await run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`]);
  const report = readJson(file);
  if (report) {
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  }
  if (code !== 0 || !report) problems.push(`unit tests (vitest exited ${code})`);
  stopPostgres?.();
}

if (wants('docs')) {
  // Every session in content/docs (commands and their shown output) against a fresh ramp build.
  const file = join(reports, 'docs.json');
  const code = await run(process.execPath, [...nodeTsFlags, join(root, 'scripts', 'docs-test.ts'), '--report', file]);
  const report = readJson(file);
  if (report) {
    totals.passed += report.passed;
    totals.failed += report.failed;
    totals.skipped += report.skipped;
  }
  if (code !== 0 || !report) problems.push(`docs sessions (docs:test exited ${code})`);
}

if (wants('types')) {
  // Type check everything, including the WebContainer adapter against @webcontainer/api's types.
  const synced = await run(bin('astro'), ['sync'], { env: { ASTRO_TELEMETRY_DISABLED: '1' } });
  const code = synced === 0 ? await run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']) : synced;
  if (code === 0) console.log('Type check: no errors.');
  else problems.push(`type check (exit ${code})`);
}

if (wants('e2e')) {
  if (buildIsStale()) {
    console.log('\nBuilding the site for the browser tests…');
    const code = await build();
    if (code !== 0) problems.push('site build');
  }
  if (!problems.includes('site build')) {
    const file = join(reports, 'playwright.json');
    const code = await run(bin('playwright'), ['test'], { env: { PLAYWRIGHT_JSON_OUTPUT_NAME: file } });
    const report = readJson(file);
    if (report) {
      totals.passed += report.stats.expected + report.stats.flaky;
      totals.failed += report.stats.unexpected;
      totals.skipped += report.stats.skipped;
    }
    if (code !== 0 || !report) problems.push(`browser tests (playwright exited ${code})`);
  }
}

console.log('');
if (problems.length) console.log(`Failed: ${problems.join('; ')}`);
console.log(`onramp: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(problems.length || totals.failed ? 1 : 0);
