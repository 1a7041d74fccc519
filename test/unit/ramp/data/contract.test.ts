// `ramp contract test|lint|diff` against generated data and edited contracts.
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { lintContract } from '../../../../labs/ramp/src/contracts/contract.ts';
import { ramp } from '../helpers.ts';
import { editYaml, scaffold } from './project.ts';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'ramp-contract-'));

/** A contract with one column per rule. */
const contract = {
  apiVersion: 'v3.1.0', kind: 'DataContract', id: 'sales__shop__orders', version: '1.0.0', status: 'active',
  schema: [{
    name: 'orders', logicalType: 'object',
    properties: [
      { name: 'order_id', logicalType: 'string', primaryKey: true, logicalTypeOptions: { pattern: '^O[0-9]+$' } },
      { name: 'status', logicalType: 'string', required: true, quality: [{ metric: 'invalidValues', arguments: { validValues: ['placed', 'shipped'] }, mustBe: 0 }] },
      { name: 'amount', logicalType: 'number', required: true, logicalTypeOptions: { minimum: 0, maximum: 1000 } },
      { name: 'items', logicalType: 'integer' },
      { name: 'paid', logicalType: 'boolean' },
      { name: 'day', logicalType: 'date', required: true },
    ],
    quality: [{ metric: 'rowCount', mustBeGreaterThanOrEqualTo: 2 }],
  }],
  slaProperties: [{ property: 'freshness', value: 1, unit: 'd', element: 'orders.day' }],
};

function files(rows: string[], c: object = contract): { dir: string; c: string; csv: string } {
  const dir = scratch();
  writeFileSync(join(dir, 'c.yaml'), stringify(c));
  writeFileSync(join(dir, 'd.csv'), `order_id,status,amount,items,paid,day\n${rows.join('\n')}\n`);
  return { dir, c: join(dir, 'c.yaml'), csv: join(dir, 'd.csv') };
}

const good = ['O1,placed,10.5,2,true,2026-03-01', 'O2,shipped,0,,false,2026-03-02'];

describe('ramp contract test', () => {
  it('passes good data, and checks freshness only with --as-of', () => {
    const f = files(good);
    const r = ramp(['contract', 'test', f.c, f.csv]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/2 rows, \d+ rules, all met/);
    expect(r.stdout).toContain('skipped: freshness');
    expect(ramp(['contract', 'test', f.c, f.csv, '--as-of', '2026-03-03']).status).toBe(0);
    const stale = ramp(['contract', 'test', f.c, f.csv, '--as-of', '2026-03-10']);
    expect(stale.status).toBe(6);
    expect(stale.stdout).toContain('newest is 2026-03-02');
  });

  const bad: Array<[string, string, string, string]> = [
    ['required', 'O3,,1,1,true,2026-03-01', 'status', 'required'],
    ['type integer', 'O3,placed,1,2.5,true,2026-03-01', 'items', 'type'],
    ['type number', 'O3,placed,ten,1,true,2026-03-01', 'amount', 'type'],
    ['type boolean', 'O3,placed,1,1,yes,2026-03-01', 'paid', 'type'],
    ['type date', 'O3,placed,1,1,true,2026-02-30', 'day', 'type'],
    ['minimum', 'O3,placed,-1,1,true,2026-03-01', 'amount', 'minimum'],
    ['maximum', 'O3,placed,1001,1,true,2026-03-01', 'amount', 'maximum'],
    ['pattern', 'X3,placed,1,1,true,2026-03-01', 'order_id', 'pattern'],
    ['validValues', 'O3,refunded,1,1,true,2026-03-01', 'status', 'validValues'],
    ['unique', 'O1,placed,1,1,true,2026-03-01', 'order_id', 'unique'],
  ];
  it.each(bad)('fails %s, with the count and the row and column', (_w, row, column, rule) => {
    const f = files([...good, row, row.replace(/^O\d/, 'O9').replace(/^X3/, 'X9')]);
    const r = ramp(['contract', 'test', f.c, f.csv, '--json']);
    expect(r.status).toBe(6);
    const failed = r.json().rules.filter((x: any) => !x.passed);
    expect(failed.map((x: any) => `${x.column}:${x.rule}`)).toContain(`${column}:${rule}`);
    const hit = failed.find((x: any) => x.rule === rule && x.column === column);
    expect(hit.failed).toBeGreaterThanOrEqual(1);
    expect(hit.examples[0].row).toBe(3);
    const text = ramp(['contract', 'test', f.c, f.csv]);
    expect(text.stdout).toMatch(new RegExp(`${column}  ${rule} .*row 3: `));
  });

  it('counts every failure over many rows and keeps five examples', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `O${i},${i % 10 === 0 ? 'lost' : 'placed'},${i % 1000},1,true,2026-03-01`);
    const f = files(rows);
    const r = ramp(['contract', 'test', f.c, f.csv, '--json']);
    const vv = r.json().rules.find((x: any) => x.rule === 'validValues');
    expect(vv.failed).toBe(500);
    expect(vv.examples.map((e: any) => e.row)).toEqual([1, 11, 21, 31, 41]);
  });

  it('missing and undeclared columns, and a row count under the minimum', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'c.yaml'), stringify(contract));
    writeFileSync(join(dir, 'd.csv'), 'order_id,status,amount,items,paid,colour\nO1,placed,1,1,true,red\n');
    const r = ramp(['contract', 'test', join(dir, 'c.yaml'), join(dir, 'd.csv'), '--json']);
    const failed = Object.fromEntries(r.json().rules.filter((x: any) => !x.passed).map((x: any) => [x.rule, x.examples.map((e: any) => e.value)]));
    expect(failed.columns).toEqual(['missing day', 'undeclared colour']);
    expect(failed.rowCount).toEqual(['1 rows']);
  });

  it('reads JSON lines, where a number written as a string is a wrong type', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'c.yaml'), stringify(contract));
    writeFileSync(join(dir, 'd.jsonl'), [{ order_id: 'O1', status: 'placed', amount: 1.5, items: 2, paid: true, day: '2026-03-01' }, { order_id: 'O2', status: 'placed', amount: '7', items: null, paid: false, day: '2026-03-01' }].map((o) => JSON.stringify(o)).join('\n'));
    const r = ramp(['contract', 'test', join(dir, 'c.yaml'), join(dir, 'd.jsonl'), '--json']);
    expect(r.status).toBe(6);
    expect(r.json().rules.filter((x: any) => !x.passed)).toEqual([expect.objectContaining({ rule: 'type', column: 'amount', failed: 1, examples: [{ row: 2, value: '"7"' }] })]);
  });

  it('malformed data exits 4: unclosed quotes, ragged rows, bad JSON', () => {
    for (const [name, text] of [['a.csv', 'order_id,status\n"O1,placed\n'], ['b.csv', 'order_id,status\nO1,placed,extra\n'], ['c.jsonl', '{"order_id": "O1"\n']]) {
      const dir = scratch();
      writeFileSync(join(dir, 'c.yaml'), stringify(contract));
      writeFileSync(join(dir, name), text);
      const r = ramp(['contract', 'test', join(dir, 'c.yaml'), join(dir, name)]);
      expect(r.status, name).toBe(4);
      expect(r.stderr, name).toMatch(/not valid (CSV|JSON)/);
    }
  });

  it('a line longer than the limit is refused without reading it whole (exit 4)', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'c.yaml'), stringify(contract));
    for (const name of ['long.csv', 'long.jsonl']) {
      const out = createWriteStream(join(dir, name));
      out.write(name.endsWith('csv') ? 'order_id,status\n' : '');
      const chunk = 'x'.repeat(1 << 20);
      for (let i = 0; i < 64; i++) out.write(chunk); // 64 MiB on one line
      await new Promise((r) => out.end(r));
      const r = ramp(['contract', 'test', join(dir, 'c.yaml'), join(dir, name)]);
      expect(r.status, name).toBe(4);
      expect(r.stderr, name).toMatch(/longer than 1048576 characters/);
    }
  });
});

describe('ramp contract lint', () => {
  it('the template\'s contract is valid', async () => {
    const dir = await scaffold();
    const r = ramp(['contract', 'lint', join(dir, 'contracts/orders_daily.yaml')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/is a valid contract: sales__shop__orders_daily 1\.0\.0, table orders_daily, 4 columns/);
  });
  const broken: Array<[string, (c: any) => void, string]> = [
    ['apiVersion', (c) => { c.apiVersion = 'v2.2.2'; }, 'apiVersion'],
    ['kind', (c) => { c.kind = 'Contract'; }, 'kind'],
    ['version', (c) => { c.version = 'one'; }, 'version'],
    ['two tables', (c) => { c.schema.push(c.schema[0]); }, 'schema'],
    ['logicalType', (c) => { c.schema[0].properties[2].logicalType = 'float'; }, 'schema.0.properties.2.logicalType'],
    ['duplicate column', (c) => { c.schema[0].properties.push(c.schema[0].properties[1]); }, 'schema.0.properties.6.name'],
    ['unknown field', (c) => { c.schema[0].properties[1].nullable = false; }, 'schema.0.properties.1.nullable'],
    ['min above max', (c) => { c.schema[0].properties[2].logicalTypeOptions = { minimum: 5, maximum: 1 }; }, 'schema.0.properties.2.logicalTypeOptions.minimum'],
    ['bad pattern', (c) => { c.schema[0].properties[0].logicalTypeOptions = { pattern: '([' }; }, 'schema.0.properties.0.logicalTypeOptions.pattern'],
    ['bad validValues', (c) => { c.schema[0].properties[1].quality[0].arguments.validValues = []; }, 'schema.0.properties.1.quality.0.arguments.validValues'],
    ['freshness element', (c) => { c.slaProperties[0].element = 'orders.status'; }, 'slaProperties.0.element'],
    ['no key', (c) => { c.schema[0].properties[0].primaryKey = false; }, 'schema.0.properties'],
  ];
  it.each(broken)('reports %s with the field and a fix (exit 6)', (_w, edit, field) => {
    const c = structuredClone(contract);
    edit(c);
    const { issues } = lintContract(c);
    expect(issues.map((i) => i.field)).toContain(field);
    const dir = scratch();
    writeFileSync(join(dir, 'c.yaml'), stringify(c));
    const r = ramp(['contract', 'lint', join(dir, 'c.yaml')]);
    expect(r.status).toBe(6);
    expect(r.stdout).toContain('fix:');
    expect(ramp(['contract', 'test', join(dir, 'c.yaml'), join(dir, 'c.yaml')]).status).toBe(4);
  });
});

describe('ramp contract diff', () => {
  const diff = (edit: (c: any) => void): { status: number | null; json: any } => {
    const dir = scratch();
    const after = structuredClone(contract) as any;
    edit(after);
    writeFileSync(join(dir, 'old.yaml'), stringify(contract));
    writeFileSync(join(dir, 'new.yaml'), stringify(after));
    const r = ramp(['contract', 'diff', join(dir, 'old.yaml'), join(dir, 'new.yaml'), '--json']);
    return { status: r.status, json: r.json() };
  };
  const col = (c: any, name: string): any => c.schema[0].properties.find((p: any) => p.name === name);
  const breaking: Array<[string, (c: any) => void]> = [
    ['a removed column', (c) => { c.schema[0].properties = c.schema[0].properties.filter((p: any) => p.name !== 'items'); }],
    ['a type change', (c) => { col(c, 'items').logicalType = 'number'; }],
    ['required → optional', (c) => { col(c, 'status').required = false; }],
    ['optional → required', (c) => { col(c, 'items').required = true; }],
    ['an allowed value added', (c) => { col(c, 'status').quality[0].arguments.validValues.push('refunded'); }],
    ['an allowed value removed (narrowed)', (c) => { col(c, 'status').quality[0].arguments.validValues = ['placed']; }],
    ['a narrower range', (c) => { col(c, 'amount').logicalTypeOptions.maximum = 100; }],
    ['a wider range', (c) => { col(c, 'amount').logicalTypeOptions.minimum = -100; }],
    ['a new required column', (c) => { c.schema[0].properties.push({ name: 'currency', logicalType: 'string', required: true }); }],
    ['a looser freshness', (c) => { c.slaProperties[0].value = 2; }],
  ];
  it.each(breaking)('%s is breaking: exit 6 without a major version, 0 with one', (_w, edit) => {
    const same = diff((c) => { edit(c); c.version = '1.1.0'; });
    expect(same.status).toBe(6);
    expect(same.json.breaking).toBe(true);
    expect(same.json.suggested).toBe('2.0.0');
    const major = diff((c) => { edit(c); c.version = '2.0.0'; });
    expect(major.status).toBe(0);
    expect(major.json.breaking).toBe(true);
  });
  it('a new optional column is a minor change; the version must still move', () => {
    const add = (c: any): void => { c.schema[0].properties.push({ name: 'note', logicalType: 'string' }); };
    expect(diff((c) => { add(c); c.version = '1.1.0'; })).toMatchObject({ status: 0, json: { breaking: false, versionProblem: null } });
    expect(diff(add)).toMatchObject({ status: 6, json: { breaking: false, suggested: '1.1.0' } });
    expect(diff((c) => { c.version = '0.9.0'; }).status).toBe(6);
    expect(diff(() => {})).toMatchObject({ status: 0, json: { changes: [] } });
  });
  it('prints each change, marked breaking or not, and the version verdict', async () => {
    const dir = await scaffold();
    const file = join(dir, 'contracts/orders_daily.yaml');
    writeFileSync(join(dir, 'next.yaml'), readFileSync(file, 'utf8'));
    editYaml(dir, (c) => { c.schema[0].properties.splice(3, 1); c.version = '1.1.0'; }, 'next.yaml');
    const r = ramp(['contract', 'diff', file, join(dir, 'next.yaml')]);
    expect(r.status).toBe(6);
    expect(r.stdout).toContain('breaking  revenue: removed: consumers that read it fail');
    expect(r.stdout).toContain('a breaking change needs a new major version, not 1.0.0 → 1.1.0; use 2.0.0');
  });
});
