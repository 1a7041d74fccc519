// `ramp drift` past its exact limit: columns of 200,000 and 150,000 values, summarised by a
// quantile sketch (or, for a column with few distinct values, by exact counts), against what
// scipy computes on every value (test/fixtures/release/drift-large.json, make_drift_cases.py).
// The data are drawn here again with the script's generator; the recorded first values and sums
// prove both drew the same numbers.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXACT_LIMIT, SKETCH_TOLERANCE } from '../../../labs/ramp/src/release/numeric-summary.ts';
import { ramp, ROOT } from './helpers.ts';

interface Want { first: number[]; sum: number; current_sum: number; ks_statistic: number; ks_pvalue: number; wasserstein: number; wasserstein_norm: number; psi: number }
const want = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'release', 'drift-large.json'), 'utf8')) as {
  reference_rows: number; current_rows: number; seed: { reference: number; current: number }; columns: Record<string, Want>;
};

/** xorshift32, as make_drift_cases.py has it. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
}
const SQRT3 = 1.7320508075688772;
const normal = (u: () => number): number => (u() + u() + u() + u() - 2) * SQRT3;
const sq = (x: number): number => x * x;
// Keep in step with COLUMNS in make_drift_cases.py: [reference draw, current draw].
const COLUMNS: Record<string, [(u: () => number) => number, (u: () => number) => number]> = {
  normal: [(u) => normal(u), (u) => normal(u) * 1.1 + 0.1],
  same: [(u) => normal(u), (u) => normal(u)],
  skewed: [(u) => sq(u() + u() + u()), (u) => sq(u() + u() + u() + 0.05)],
  heavy: [(u) => 1 / Math.sqrt(Math.sqrt(u())), (u) => 1.05 / Math.sqrt(Math.sqrt(u()))],
  outliers: [(u) => normal(u) + (u() < 0.002 ? 40 : 0), (u) => normal(u) + (u() < 0.004 ? 40 : 0)],
  counts: [(u) => Math.floor(u() * 50), (u) => Math.floor(u() * 52)],
};
const names = Object.keys(COLUMNS);

function draw(which: 'reference' | 'current', rows: number): Record<string, Float64Array> {
  const u = generator(want.seed[which]);
  const k = which === 'reference' ? 0 : 1;
  const cols = Object.fromEntries(names.map((c) => [c, new Float64Array(rows)]));
  for (let i = 0; i < rows; i++) for (const c of names) cols[c]![i] = COLUMNS[c]![k](u);
  return cols;
}

function writeCsv(file: string, cols: Record<string, Float64Array>, rows: number): void {
  const lines = [names.join(',')];
  for (let i = 0; i < rows; i++) lines.push(names.map((c) => String(cols[c]![i])).join(','));
  writeFileSync(file, `${lines.join('\n')}\n`);
}

const sum = (a: Float64Array): number => a.reduce((s, v) => s + v, 0);

describe('ramp drift on a large sample (bounded memory)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-drift-large-'));
  let ref: Record<string, Float64Array>, cur: Record<string, Float64Array>;
  let result: { columns: Array<{ column: string; details: Record<string, number | string[]> }> };

  beforeAll(() => {
    ref = draw('reference', want.reference_rows);
    cur = draw('current', want.current_rows);
    writeCsv(join(dir, 'ref.csv'), ref, want.reference_rows);
    writeCsv(join(dir, 'cur.csv'), cur, want.current_rows);
    const r = ramp(['drift', '--reference', join(dir, 'ref.csv'), '--current', join(dir, 'cur.csv'), '--json']);
    expect([0, 6], r.stderr).toContain(r.status);
    result = r.json();
  }, 60_000);

  it('draws the same numbers as the script that asked scipy', () => {
    expect(want.reference_rows).toBeGreaterThan(EXACT_LIMIT);
    expect(want.current_rows).toBeGreaterThan(EXACT_LIMIT);
    for (const c of names) {
      expect(Array.from(ref[c]!.subarray(0, 3)), c).toEqual(want.columns[c]!.first);
      expect(Math.abs(sum(ref[c]!) - want.columns[c]!.sum), c).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want.columns[c]!.sum)));
      expect(Math.abs(sum(cur[c]!) - want.columns[c]!.current_sum), c).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want.columns[c]!.current_sum)));
    }
  });

  const sketched = names.filter((c) => c !== 'counts');
  it.each(sketched)('%s: sketched, within the documented tolerance of scipy', (c) => {
    const got = result.columns.find((x) => x.column === c)!.details;
    const w = want.columns[c]!;
    expect(got.approximate).toEqual(['reference', 'current']);
    expect(Math.abs((got.ks_statistic as number) - w.ks_statistic)).toBeLessThanOrEqual(SKETCH_TOLERANCE.ks_statistic);
    expect(Math.abs((got.wasserstein_norm as number) - w.wasserstein_norm)).toBeLessThanOrEqual(SKETCH_TOLERANCE.wasserstein_norm);
    expect(Math.abs((got.psi as number) - w.psi)).toBeLessThanOrEqual(SKETCH_TOLERANCE.psi);
  });

  it('counts a column with few distinct values exactly, however many rows', () => {
    const got = result.columns.find((x) => x.column === 'counts')!.details;
    const w = want.columns.counts!;
    expect(got.approximate).toBeUndefined();
    for (const k of ['ks_statistic', 'wasserstein', 'wasserstein_norm', 'psi'] as const) {
      expect(Math.abs((got[k] as number) - w[k]), k).toBeLessThanOrEqual(1e-9 * Math.max(1, w[k]));
    }
    expect(Math.abs((got.ks_pvalue as number) - w.ks_pvalue)).toBeLessThanOrEqual(1e-9 * w.ks_pvalue); // scipy's ks_2samp default
  });
});
