// `npm test`: unit tests (Vitest), a fresh build when needed, then browser tests (Playwright on
// Chromium) against the built site served by the Onramp service. Ends with one summary line.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from './build.mjs';
import { bin, buildIsStale, root, run } from './lib.mjs';

const reports = join(root, 'test-results');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const only = process.argv.slice(2); // e.g. `npm test -- unit` or `npm test -- e2e`
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

if (wants('unit')) {
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
