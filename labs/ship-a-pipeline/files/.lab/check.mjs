// The lab's checks: `node .lab/check.mjs <step>` exits 0 when the step is done.
// Plain Node, no dependencies; ramp is the one on the lab's PATH. Child processes are asynchronous
// (execFile), so the checks run the same on the lab runner and in the tab.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fail = (why) => {
  console.log(`✗ ${why}`);
  process.exit(1);
};
const pass = (what) => {
  console.log(`✓ ${what}`);
  process.exit(0);
};
const ramp = (args, cwd = '.') =>
  new Promise((resolve) => {
    execFile('ramp', [...args, '--no-color'], { cwd, encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
const partition = (date) => `data/orders_daily/date=${date}/part.csv`;
const rowsOf = (file) => readFileSync(file, 'utf8').trim().split('\n').slice(1);
const duplicates = (rows) => rows.length - new Set(rows.map((r) => r.split(',').slice(0, 2).join(','))).size;
const pipelineText = () => (existsSync('pipeline.yaml') ? readFileSync('pipeline.yaml', 'utf8') : fail('pipeline.yaml is missing'));

async function violations() {
  const r = await ramp(['pipeline', 'check', '--json']);
  try {
    return JSON.parse(r.stdout).violations;
  } catch {
    fail(`ramp pipeline check did not run: ${(r.stdout + r.stderr).trim().split('\n').pop()}`);
  }
}

/** Runs the pipeline twice for a date in a copy of the project: the partition must not change. */
async function idempotentInCopy(date) {
  const copy = mkdtempSync(join(tmpdir(), 'lab-check-'));
  try {
    for (const f of ['pipeline.yaml', 'transform.mjs', 'data/input', 'contracts']) if (existsSync(f)) cpSync(f, join(copy, f), { recursive: true });
    const once = await ramp(['pipeline', 'run', '--date', date], copy);
    if (once.status !== 0) fail(`ramp pipeline run --date ${date} failed: ${(once.stderr || once.stdout).trim().split('\n')[0]}`);
    const first = readFileSync(join(copy, partition(date)), 'utf8');
    await ramp(['pipeline', 'run', '--date', date], copy);
    return readFileSync(join(copy, partition(date)), 'utf8') === first;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

switch (process.argv[2]) {
  case 'conventions': {
    const left = (await violations()).filter((v) => /^(name|owner)/.test(v.rule));
    if (left.length) fail(`pipeline.yaml › ${left[0].field}: ${left[0].message} (${left.length} name and owner problem${left.length > 1 ? 's' : ''} left)`);
    pass('the name and the owner follow the conventions');
  }
  case 'duplicates': {
    if (!existsSync(partition('2026-03-02'))) fail(`${partition('2026-03-02')} does not exist yet: run the pipeline for 2026-03-02`);
    const dup = duplicates(rowsOf(partition('2026-03-02')));
    if (dup === 0) fail('the partition of 2026-03-02 has no duplicate rows yet: run the same date a second time');
    pass(`the partition of 2026-03-02 holds ${dup} duplicate row${dup > 1 ? 's' : ''}: appending is not idempotent`);
  }
  case 'replace': {
    if (!/^\s*write:\s*replace-partition\s*$/m.test(pipelineText())) fail('the output in pipeline.yaml still has write: append');
    if (!(await idempotentInCopy('2026-03-02'))) fail('running the same date twice still changes the partition');
    const dup = duplicates(rowsOf(partition('2026-03-02')));
    if (dup) fail(`the partition of 2026-03-02 still holds ${dup} duplicate rows: run the date again to replace it`);
    pass('a re-run replaces the partition: the same rows, never twice');
  }
  case 'backfill': {
    const days = ['01', '02', '03', '04', '05', '06', '07'].map((d) => `2026-03-${d}`);
    const missing = days.filter((d) => !existsSync(partition(d)));
    if (missing.length) fail(`no partition yet for ${missing.join(', ')}: backfill the week`);
    for (const d of days) if (duplicates(rowsOf(partition(d)))) fail(`the partition of ${d} holds duplicate rows`);
    if (existsSync('.ramp/backfill.json')) fail('the backfill has not finished: run the same range again to resume it');
    pass('a week of partitions, each exactly once');
  }
  case 'contract': {
    const file = 'contracts/orders_daily.yaml';
    if (!existsSync(file)) fail(`${file} does not exist yet`);
    const lint = await ramp(['contract', 'lint', file]);
    if (lint.status !== 0) fail(`ramp contract lint: ${lint.stdout.trim().split('\n').slice(0, 3).join(' ')}`);
    const left = await violations();
    if (left.length) fail(`ramp pipeline check still finds ${left.length} problem${left.length > 1 ? 's' : ''}: ${left[0].field}: ${left[0].message}`);
    for (const d of readdirSync('data/orders_daily')) {
      const t = await ramp(['contract', 'test', file, `data/orders_daily/${d}/part.csv`]);
      if (t.status !== 0) fail(`the contract rejects your own partition ${d}: ${t.stdout.trim().split('\n').slice(1, 2).join('')}`);
    }
    const bad = await ramp(['contract', 'test', file, 'incoming/orders_daily.csv', '--json']);
    if (bad.status !== 6) fail('the contract lets incoming/orders_daily.csv through: it should catch the negative revenue, the repeated shop and day, and the malformed shop id');
    const caught = JSON.parse(bad.stdout).rules.filter((r) => !r.passed).length;
    if (caught < 3) fail(`the contract catches only ${caught} of the problems in incoming/orders_daily.csv: add a minimum for revenue, a primary key and a pattern for shop_id`);
    pass('the contract holds for your partitions and stops the bad file');
  }
  case 'diff': {
    const next = 'contracts/orders_daily.next.yaml';
    if (!existsSync(next)) fail(`${next} does not exist yet: copy the contract and change it`);
    if ((await ramp(['contract', 'lint', next])).status !== 0) fail(`${next} is not a valid contract: run ramp contract lint ${next}`);
    const d = await ramp(['contract', 'diff', 'contracts/orders_daily.yaml', next, '--json']);
    const out = JSON.parse(d.stdout || '{}');
    if (!out.breaking) fail('the new version has no breaking change yet: remove or rename a column');
    if (d.status !== 6) fail('the major version already announces the change: keep it a minor bump (1.1.0) to see the diff flag it');
    pass('ramp contract diff flags the breaking change and asks for version 2.0.0');
  }
  default:
    fail(`unknown step "${process.argv[2]}"`);
}
