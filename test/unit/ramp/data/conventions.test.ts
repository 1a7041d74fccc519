// Every rule of conventions.yaml, passing and failing, as `ramp pipeline check` applies it.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProject } from '../../../../labs/ramp/src/pipeline/check.ts';
import { conventionsFrom, loadConventions, type Conventions } from '../../../../labs/ramp/src/pipeline/conventions.ts';
import { readProject } from '../../../../labs/ramp/src/pipeline/spec.ts';
import { parseYamlText } from '../../../../labs/ramp/src/data-files.ts';
import { nodeFs } from '../../../../labs/ramp/src/node-host.ts';
import { ramp } from '../helpers.ts';
import { editYaml, scaffold } from './project.ts';

const { conventions } = loadConventions();
const rulesOf = (dir: string, c: Conventions = conventions): string[] => checkProject(readProject(nodeFs, dir), c).map((v) => v.rule);

describe('conventions.yaml', () => {
  it('is valid and is what the check reads', () => {
    expect(conventions.name.example).toMatch(new RegExp(conventions.name.pattern, 'u'));
  });
  it('a mistake in it names the field', () => {
    const bad = { ...conventions, name: { ...conventions.name, pattern: '([' }, extra: 1 };
    expect(() => conventionsFrom(bad, 'conv.yaml')).toThrow(/conv\.yaml: name\.pattern: must be a valid regular expression/);
    expect(() => conventionsFrom(bad, 'conv.yaml')).toThrow(/conv\.yaml: \(root\)/);
  });
});

describe('ramp pipeline check', () => {
  it('the template passes; the JSON lists no violations', async () => {
    const dir = await scaffold();
    expect(rulesOf(dir)).toEqual([]);
    const r = ramp(['pipeline', 'check', dir, '--json']);
    expect(r.status).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, violations: [] });
  });

  const cases: Array<[string, (p: any, dir: string) => void, string]> = [
    ['name.pattern', (p) => { p.name = 'orders_etl'; }, 'name.pattern'],
    ['name.max_length', (p) => { p.name = `sales__shop__${'x'.repeat(60)}`; }, 'name.max_length'],
    ['name.domains', (p) => { p.name = 'weather__shop__orders_daily'; }, 'name.domains'],
    ['owner missing', (p) => { delete p.owner; }, 'owner'],
    ['owner.team missing', (p) => { delete p.owner.team; }, 'owner.team.required'],
    ['owner.team a person', (p) => { p.owner.team = 'jane.doe'; }, 'owner.team.allowed'],
    ['owner.oncall missing', (p) => { delete p.owner.oncall; }, 'owner.oncall.required'],
    ['owner.oncall not a channel', (p) => { p.owner.oncall = 'jane@example.com'; }, 'owner.oncall.pattern'],
    ['no tier tag', (p) => { p.tags = ['mart']; }, 'tags.groups.tier'],
    ['two tier tags', (p) => { p.tags = ['tier1', 'tier2', 'mart']; }, 'tags.groups.tier'],
    ['unknown tag', (p) => { p.tags.push('urgent'); }, 'tags.allow_other'],
    ['tags not a list', (p) => { p.tags = 'tier2'; }, 'tags'],
    ['bad cron', (p) => { p.schedule.cron = 'every day'; }, 'schedule.presets'],
    ['timezone', (p) => { p.schedule.timezone = 'Europe/Paris'; }, 'schedule.timezone'],
    ['catchup', (p) => { p.schedule.catchup = true; }, 'schedule.catchup'],
    ['max_active_runs', (p) => { p.schedule.max_active_runs = 3; }, 'schedule.max_active_runs'],
    ['append', (p) => { p.outputs[0].write = 'append'; }, 'outputs.write_modes'],
    ['partition_by', (p) => { p.outputs[0].partition_by = 'hour'; }, 'outputs.partition_by'],
    ['format', (p) => { p.outputs[0].format = 'parquet'; }, 'outputs.formats'],
    ['path_prefix', (p) => { p.outputs[0].path = 'out/orders_daily'; }, 'outputs.path_prefix'],
    ['no contract', (p) => { delete p.outputs[0].contract; }, 'contracts.required'],
    ['contract elsewhere', (p, dir) => { mkdirSync(join(dir, 'c'), { recursive: true }); writeFileSync(join(dir, 'c/o.yaml'), 'kind: DataContract\n'); p.outputs[0].contract = 'c/o.yaml'; }, 'contracts.path'],
    ['contract file missing', (_p, dir) => { rmSync(join(dir, 'contracts/orders_daily.yaml')); }, 'contracts.required'],
    ['contract invalid', (_p, dir) => editYaml(dir, (c) => { c.schema[0].properties[0].logicalType = 'float'; }, 'contracts/orders_daily.yaml'), 'contracts.valid'],
    ['transform missing', (_p, dir) => { rmSync(join(dir, 'transform.mjs')); }, 'transform'],
  ];
  it.each(cases)('fails %s, naming the rule, the field and a fix', async (_what, edit, rule) => {
    const dir = await scaffold();
    editYaml(dir, (p) => edit(p, dir));
    const violations = checkProject(readProject(nodeFs, dir), conventions);
    expect(violations.map((v) => v.rule)).toContain(rule);
    for (const v of violations) {
      expect(v.file).toMatch(/\.yaml$/);
      expect(v.field).not.toBe('');
      expect(v.fix.length).toBeGreaterThan(5);
    }
  });

  it('exits 6 and prints each violation with its fix', async () => {
    const dir = await scaffold();
    editYaml(dir, (p) => { p.name = 'orders_etl'; delete p.owner; });
    const r = ramp(['pipeline', 'check', dir]);
    expect(r.status).toBe(6);
    expect(r.stdout).toContain('pipeline.yaml › name  [name.pattern]');
    expect(r.stdout).toContain('pipeline.yaml › owner  [owner]');
    expect(r.stdout).toMatch(/fix: .*sales__shop__orders_daily/);
  });

  it('reads the platform team\'s rules: another conventions file changes the verdict', async () => {
    const dir = await scaffold();
    editYaml(dir, (p) => { p.outputs[0].write = 'append'; });
    const loose = conventionsFrom({ ...conventions, outputs: { ...conventions.outputs, write_modes: ['replace-partition', 'append'] } }, 'x');
    expect(rulesOf(dir)).toEqual(['outputs.write_modes']);
    expect(rulesOf(dir, loose)).toEqual([]);
    const file = join(dir, '..', 'house.yaml');
    writeFileSync(file, `${JSON.stringify({ ...conventions, outputs: { ...conventions.outputs, write_modes: ['replace-partition', 'append'] } })}\n`);
    expect(ramp(['pipeline', 'check', dir, '--conventions', file]).status).toBe(0);
    expect(ramp(['pipeline', 'check', dir]).status).toBe(6);
  });

  it('refuses a path that leaves the project folder (exit 3)', async () => {
    for (const edit of [(p: any) => { p.transform = '../outside.mjs'; }, (p: any) => { p.inputs[0].path = '/etc/{date}.csv'; }, (p: any) => { p.outputs[0].path = 'data/../../x'; }]) {
      const dir = await scaffold();
      editYaml(dir, edit);
      for (const args of [['pipeline', 'check', dir], ['pipeline', 'run', dir, '--date', '2026-03-01']]) {
        const r = ramp(args);
        expect(r.status, args.join(' ')).toBe(3);
        expect(r.stderr).toMatch(/leaves the project folder|is not a relative path/);
      }
    }
  });

  it('refuses a YAML bomb (exit 4) without expanding it', async () => {
    const dir = await scaffold();
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    writeFileSync(join(dir, 'pipeline.yaml'), `${levels.join('\n')}\nname: *l\n`);
    const r = ramp(['pipeline', 'check', dir]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/YAML bomb|alias/i);
    expect(() => parseYamlText('a: [1\n', 'x.yaml')).toThrow(/x\.yaml: not valid YAML/);
  });

  it('ramp pipeline rules prints the rules from conventions.yaml', () => {
    const r = ramp(['pipeline', 'rules']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(conventions.name.example);
    expect(r.stdout).toContain(conventions.outputs.write_modes.join(' or '));
  });

  it('ramp init pipeline refuses a name that breaks the convention (exit 2)', () => {
    const r = ramp(['init', 'pipeline', join(process.cwd(), '.scratch-never'), '--name', 'orders_etl']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('<domain>__<source>__<entity>');
  });
});
