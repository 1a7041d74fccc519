// `ramp contract export/check`: every diff rule (breaking and compatible), and the CLI on the churn
// model, its next version (a third class) and a live server.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractFromMetadata, diffContracts, type ModelContract } from '../../../labs/ramp/src/model-contract.ts';
import { BIN, ROOT } from './helpers.ts';
import { start, type Srv } from './serve-helpers.ts';

const CHURN = join(ROOT, 'test', 'fixtures', 'churn', 'churn.joblib');
const CHURN_V2 = join(ROOT, 'test', 'fixtures', 'churn', 'churn-v2.joblib');
const ramp = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

const base = (): ModelContract => contractFromMetadata({
  name: 'churn', versions: ['7'], platform: 'sklearn',
  inputs: [{ name: 'tenure', datatype: 'FP64', shape: [-1] }, { name: 'plan', datatype: 'BYTES', shape: [-1] }],
  outputs: [{ name: 'predict', datatype: 'INT64', shape: [-1] }, { name: 'predict_proba', datatype: 'FP64', shape: [-1, 2] }],
  parameters: { estimator: 'Pipeline', sklearn_version: '1.2.1', columns: [{ name: 'tenure', datatype: 'FP64' }, { name: 'plan', datatype: 'BYTES', categories: ['basic', 'premium'] }], classes: ['0', '1'] },
}, [true, true]);
const kinds = (exp: ModelContract, act: ModelContract) => {
  const d = diffContracts(exp, act);
  return { breaking: d.breaking.map((c) => c.kind), compatible: d.compatible.map((c) => c.kind) };
};
const change = (f: (c: ModelContract) => void): ModelContract => { const c = base(); f(c); return c; };

describe('contract diff rules', () => {
  it('reads V2 metadata: columns, categories, integer classes, layout, version', () => {
    const c = base();
    expect(c).toMatchObject({ name: 'churn', version: '7', layout: 'columns', classes: [0, 1] });
    expect(c.inputs[1]).toEqual({ name: 'plan', datatype: 'BYTES', shape: [-1], nullable: true, categories: ['basic', 'premium'] });
    const matrix = contractFromMetadata({ name: 'iris', inputs: [{ name: 'input-0', datatype: 'FP64', shape: [-1, 3] }], outputs: [] });
    expect(matrix.layout).toBe('matrix');
    expect(matrix.inputs.map((x) => x.name)).toEqual(['input-0[0]', 'input-0[1]', 'input-0[2]']);
    expect(matrix.inputs[0]!.nullable).toBeNull();
  });

  it('nothing changed: nothing to report', () => {
    expect(kinds(base(), base())).toEqual({ breaking: [], compatible: [] });
  });

  it.each<[string, (c: ModelContract) => void, string[], string[]]>([
    ['a removed column', (c) => { c.inputs.splice(0, 1); }, ['column_removed'], []],
    ['a renamed column', (c) => { c.inputs[0]!.name = 'tenure_months'; }, ['column_renamed'], []],
    ['a datatype change', (c) => { c.inputs[0]!.datatype = 'INT64'; }, ['datatype_changed'], []],
    ['a new required column', (c) => { c.inputs.push({ name: 'age', datatype: 'FP64', shape: [-1], nullable: false }); }, ['column_added_required'], []],
    ['a new column of unknown optionality', (c) => { c.inputs.push({ name: 'age', datatype: 'FP64', shape: [-1], nullable: null }); }, ['column_added_required'], []],
    ['a new optional column', (c) => { c.inputs.push({ name: 'age', datatype: 'FP64', shape: [-1], nullable: true }); }, [], ['column_added_optional']],
    ['a column that no longer takes missing values', (c) => { c.inputs[0]!.nullable = false; }, ['nullable_removed'], []],
    ['a category removed / added', (c) => { c.inputs[1]!.categories = ['basic', 'standard']; }, ['categories_removed'], ['categories_added']],
    ['a class added', (c) => { c.classes = [0, 1, 2]; c.outputs[1]!.shape = [-1, 3]; }, ['class_added'], []],
    ['a class removed', (c) => { c.classes = [1]; }, ['class_removed'], []],
    ['classes reordered', (c) => { c.classes = [1, 0]; }, ['class_order_changed'], []],
    ['no classes any more', (c) => { c.classes = null; }, ['task_changed'], []],
    ['an output removed', (c) => { c.outputs.pop(); }, ['output_removed'], []],
    ['an output retyped', (c) => { c.outputs[0]!.datatype = 'BYTES'; }, ['output_datatype_changed'], []],
    ['a new output', (c) => { c.outputs.push({ name: 'explain', datatype: 'FP64', shape: [-1, 2] }); }, [], ['output_added']],
    ['another name', (c) => { c.name = 'churn-v2'; }, ['name_changed'], []],
    ['another layout', (c) => { c.layout = 'matrix'; }, ['layout_changed'], []],
    ['a new version, estimator and sklearn', (c) => { c.version = '8'; c.estimator = 'HistGradientBoostingClassifier'; c.sklearn_version = '1.5.0'; }, [], ['version_changed', 'estimator_changed', 'sklearn_version_changed']],
  ])('%s', (_what, f, breaking, compatible) => {
    expect(kinds(base(), change(f))).toEqual({ breaking, compatible });
  });

  it('a matrix model: a reorder of its columns is breaking; added columns change F', () => {
    const m = (names: string[]) => contractFromMetadata({ name: 'm', inputs: [{ name: 'input-0', datatype: 'FP64', shape: [-1, names.length] }], outputs: [], parameters: { columns: names.map((name) => ({ name, datatype: 'FP64' })) } });
    expect(kinds(m(['a', 'b']), m(['b', 'a'])).breaking).toEqual(['column_order_changed']);
    expect(kinds(m(['a', 'b']), m(['a', 'b', 'c'])).breaking).toEqual(['column_added_required']);
  });
});

describe('ramp contract (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-contract-'));
  const file = join(dir, 'model.contract.json');
  let s: Srv;
  beforeAll(async () => {
    const r = ramp('contract', 'export', CHURN);
    expect(r.status).toBe(0);
    writeFileSync(file, r.stdout);
    s = await start(CHURN_V2, ['--name', 'churn']);
  }, 45_000);
  afterAll(() => { s?.proc.kill('SIGKILL'); });

  it('export: name, columns with datatypes, nullable (probed) and categories, outputs, classes', () => {
    const c = JSON.parse(ramp('contract', 'export', CHURN).stdout);
    expect(c).toMatchObject({ format: 'ramp.model-contract/v1', name: 'churn', layout: 'columns', classes: [0, 1] });
    expect(c.inputs.map((x: { name: string; datatype: string }) => `${x.name}:${x.datatype}`)).toEqual(['tenure_months:FP64', 'monthly_spend:FP64', 'support_tickets:FP64', 'days_since_login:FP64', 'plan:BYTES', 'region:BYTES', 'contract:BYTES']);
    expect(c.inputs.every((x: { nullable: boolean }) => x.nullable === true)).toBe(true);
    expect(c.inputs[4].categories).toEqual(['basic', 'premium', 'standard']);
    expect(c.outputs.map((x: { name: string }) => x.name)).toEqual(['predict', 'predict_proba']);
  });

  it('check against the same model: compatible, exit 0', () => {
    const r = ramp('contract', 'check', '--expect', file, '--against', CHURN);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^✓ compatible/);
  });

  it('check against the next version served live: the added class is breaking, exit 6, --json for CI', () => {
    const r = ramp('contract', 'check', '--expect', file, '--against', s.base);
    expect(r.status).toBe(6);
    expect(r.stdout).toContain('✗ 1 breaking change');
    expect(r.stdout).toContain('class_added  class 2 was added (classes now 0, 1, 2)');
    const j = ramp('contract', 'check', '--expect', file, '--against', `${s.base}/v2/models/churn`, '--json');
    expect(j.status).toBe(6);
    expect(JSON.parse(j.stdout)).toMatchObject({ compatible: false, breaking: [{ kind: 'class_added' }], changes: [] });
  });

  it('exports the same contract from the server as from the file, but for nullable (unknown)', () => {
    const fromUrl = JSON.parse(ramp('contract', 'export', s.base).stdout);
    const fromFile = JSON.parse(ramp('contract', 'export', CHURN_V2, '--name', 'churn').stdout);
    for (const col of fromFile.inputs) col.nullable = null;
    expect(fromUrl).toEqual(fromFile);
  });

  it('usage, unreadable contract, unreachable server', () => {
    expect(ramp('contract', 'check', '--expect', file).status).toBe(2);
    expect(ramp('contract', 'frobnicate').status).toBe(2);
    writeFileSync(join(dir, 'bad.json'), '{"name": "x"}');
    const bad = ramp('contract', 'check', '--expect', join(dir, 'bad.json'), '--against', CHURN);
    expect(bad.status).toBe(4);
    expect(bad.stderr).toContain('is not a model contract');
    const down = ramp('contract', 'check', '--expect', file, '--against', 'http://127.0.0.1:9/');
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/v2\/models\/churn/);
  });
});
