import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const MODELS = join(ROOT, 'test', 'fixtures', 'models');
export const HOSTILE = join(ROOT, 'test', 'fixtures', 'hostile');
export const BIN = join(ROOT, 'labs', 'ramp', 'bin', 'ramp.mjs');

export interface Expected {
  name: string;
  estimator: string;
  n_features: number;
  /** Rows as lists (null: missing) or, for DataFrame models, records keyed by column name. */
  inputs: Array<Array<number | string | null> | Record<string, number | string | null>>;
  predictions?: unknown[];
  transform?: number[][];
  probabilities?: number[][];
  classes?: unknown[];
  feature_names?: string[];
  sklearn_version: string;
}

export function expected(base: string): Expected {
  return JSON.parse(readFileSync(join(MODELS, `${base}.json`), 'utf8')) as Expected;
}

/** A fixture row as the cells a model takes: in the model's column order, null as NaN. */
export function cellsOf(row: Expected['inputs'][number], model: { inputs: Array<{ name: string | null }> }): Array<number | string> {
  const cell = (v: number | string | null | undefined): number | string => (v === null || v === undefined ? NaN : v);
  if (Array.isArray(row)) return row.map(cell);
  return model.inputs.map((c) => cell(row[c.name!]));
}

/** Every model file with its expectation base name. */
export function modelFiles(): Array<{ file: string; base: string }> {
  return readdirSync(MODELS)
    .filter((f) => /\.(pkl|joblib)$/.test(f) && !f.startsWith('unsupported'))
    .sort()
    .map((f) => ({ file: f, base: f.replace(/\.(p\d\.pkl|zlib\.joblib|gz\.joblib|joblib)$/, '') }));
}

/** Labels exactly; floats within 1e-9 relative (1e-12 absolute near zero). */
export function expectClose(actual: unknown, want: unknown, path = '$'): void {
  if (typeof want === 'number') {
    expect(typeof actual, path).toBe('number');
    const a = actual as number;
    if (Number.isInteger(want) && Number.isInteger(a) && Math.abs(want) < 2 ** 53 && Math.abs(a - want) === 0) return;
    const ok = Math.abs(a - want) <= Math.max(1e-9 * Math.abs(want), 1e-12);
    if (!ok) expect(a, `${path}: ${a} vs ${want}`).toBe(want);
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(want.length);
    want.forEach((w, i) => expectClose((actual as unknown[])[i], w, `${path}[${i}]`));
    return;
  }
  expect(actual, path).toStrictEqual(want);
}

export function ramp(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): SpawnSyncReturns<string> & { json: () => any } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: opts.input,
    encoding: 'utf8',
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    timeout: 30_000,
  });
  return Object.assign(r, { json: () => JSON.parse(r.stdout) });
}
