// `ramp init service-client`: the generated project compiles (its typed client, and the lines that
// must not compile) and its own tests pass against a real `ramp serve --fault`, offline. Its
// dependencies come from this repository's node_modules (cockatiel, typescript, @types/node).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, MODELS, ROOT } from './helpers.ts';

const CHURN = join(ROOT, 'test', 'fixtures', 'churn', 'churn.joblib');
const ramp = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

/** Scaffolds a client for `model` into a fresh folder and links its dependencies. */
function scaffold(model: string, name?: string): string {
  const work = mkdtempSync(join(tmpdir(), 'ramp-client-'));
  const r = ramp(work, 'init', 'service-client', 'client', '--model', model, ...(name ? ['--name', name] : []));
  expect(r.status, r.stderr).toBe(0);
  const dir = join(work, 'client');
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  for (const dep of ['cockatiel', 'typescript', '@types/node']) symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
  return dir;
}

const tsc = (dir: string) => spawnSync(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: dir, encoding: 'utf8' });
const nodeTest = (dir: string) => spawnSync(process.execPath, ['--test', 'dist/test/client.test.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, RAMP: BIN }, timeout: 120_000 });
const count = (out: string, what: string): number => Number(new RegExp(`^ℹ ${what} (\\d+)`, 'm').exec(out)?.[1] ?? -1);

describe('ramp init service-client', () => {
  it('needs --model, and refuses a non-empty directory', () => {
    const work = mkdtempSync(join(tmpdir(), 'ramp-client-'));
    const r = ramp(work, 'init', 'service-client', 'c');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('needs --model URL|FILE');
    expect(ramp(work, 'init', 'service-client', 'c', '--model', CHURN).status).toBe(0);
    expect(ramp(work, 'init', 'service-client', 'c', '--model', CHURN).status).toBe(1);
  });

  it('churn (text columns, integer classes): typed from the metadata, cockatiel in package.json, its tests pass against ramp serve --fault', () => {
    const dir = scaffold(CHURN);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toEqual({ cockatiel: '^3.2.1' });
    expect(pkg.scripts.contract).toMatch(/^ramp contract check --expect model\.contract\.json --against \S*churn\.joblib$/);
    const model = readFileSync(join(dir, 'src', 'model.ts'), 'utf8');
    expect(model).toContain('"plan": "basic" | "premium" | "standard" | null;');
    expect(model).toContain('export type Label = 0 | 1;');
    expect(JSON.parse(readFileSync(join(dir, 'model.contract.json'), 'utf8')).name).toBe('churn');
    const c = tsc(dir);
    expect(c.status, c.stdout + c.stderr).toBe(0);
    const t = nodeTest(dir);
    expect(count(t.stdout, 'pass'), t.stdout + t.stderr).toBe(10);
    expect(count(t.stdout, 'fail')).toBe(0);
    expect(t.status).toBe(0);
    // The CI step: the pinned model still serves what the client was built for.
    const k = spawnSync(process.execPath, [BIN, 'contract', 'check', '--expect', 'model.contract.json', '--against', CHURN], { cwd: dir, encoding: 'utf8' });
    expect(k.status).toBe(0);
  }, 180_000);

  it('a numeric model with string labels (one [N, F] tensor): compiles, and the same tests pass', () => {
    const dir = scaffold(join(MODELS, 'rfc.zlib.joblib'), 'iris');
    expect(readFileSync(join(dir, 'src', 'model.ts'), 'utf8')).toContain('shape: [rows.length, 4]');
    expect(tsc(dir).status).toBe(0);
    const t = nodeTest(dir);
    expect(count(t.stdout, 'pass'), t.stdout + t.stderr).toBe(10);
  }, 180_000);

  it('a regressor compiles', () => {
    const dir = scaffold(join(MODELS, 'ada_reg.joblib'));
    expect(readFileSync(join(dir, 'src', 'model.ts'), 'utf8')).toContain('value: number;');
    const c = tsc(dir);
    expect(c.status, c.stdout + c.stderr).toBe(0);
  }, 60_000);

  it('a typo in a column name or a wrong type does not compile', () => {
    const dir = scaffold(CHURN);
    expect(existsSync(join(dir, 'test', 'types.ts'))).toBe(true);
    spawnSync('sh', ['-c', "sed -i 's/^\\/\\/ @ts-expect-error a column the model does not have$//' test/types.ts"], { cwd: dir });
    const c = tsc(dir);
    expect(c.status).not.toBe(0);
    expect(c.stdout).toMatch(/not_a_column/);
  }, 60_000);
});
