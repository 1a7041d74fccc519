// `ramp pipeline run`: atomic partition replace, idempotent re-runs and backfills, resuming,
// crashes half-way, bad inputs and the contract gate.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsIo, replacePartition, type PartitionIo } from '../../../../labs/ramp/src/pipeline/partition.ts';
import { nodeFs } from '../../../../labs/ramp/src/node-host.ts';
import { BIN, ramp } from '../helpers.ts';
import { editYaml, scaffold } from './project.ts';

const part = (dir: string, date: string): string => join(dir, 'data/orders_daily', `date=${date}`, 'part.csv');
const rowsIn = (file: string): number => readFileSync(file, 'utf8').trim().split('\n').length - 1;

describe('ramp pipeline run', () => {
  it('a re-run of a date replaces its partition: same bytes, no duplicate rows', async () => {
    const dir = await scaffold();
    const r1 = ramp(['pipeline', 'run', dir, '--date', '2026-03-01']);
    expect(r1.status, r1.stderr).toBe(0);
    const first = readFileSync(part(dir, '2026-03-01'), 'utf8');
    const r2 = ramp(['pipeline', 'run', dir, '--date', '2026-03-01']);
    expect(r2.stdout).toMatch(/replaced with 2 rows \(was 2 rows, now 2\)/);
    expect(readFileSync(part(dir, '2026-03-01'), 'utf8')).toBe(first);
    expect(readdirSync(join(dir, 'data/orders_daily/date=2026-03-01'))).toEqual(['part.csv']);
  });

  it('append (the starter\'s mistake) duplicates rows on every re-run', async () => {
    const dir = await scaffold();
    editYaml(dir, (p) => { p.outputs[0].write = 'append'; });
    ramp(['pipeline', 'run', dir, '--date', '2026-03-01']);
    const r = ramp(['pipeline', 'run', dir, '--date', '2026-03-01']);
    expect(r.stdout).toMatch(/appended 2 rows \(was 2 rows, now 4\).*re-run added rows again/);
    expect(rowsIn(part(dir, '2026-03-01'))).toBe(4);
  });

  it('a backfill runs each date in order; running it again changes nothing', async () => {
    const dir = await scaffold();
    const r = ramp(['pipeline', 'run', dir, '--from', '2026-03-01', '--to', '2026-03-07', '--json']);
    expect(r.status, r.stdout).toBe(0);
    expect(r.json().dates.map((d: any) => d.date)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07']);
    const snapshot = r.json().dates.map((d: any) => readFileSync(part(dir, d.date), 'utf8'));
    expect(ramp(['pipeline', 'run', dir, '--from', '2026-03-01', '--to', '2026-03-07']).status).toBe(0);
    expect(r.json().dates.map((d: any) => readFileSync(part(dir, d.date), 'utf8'))).toEqual(snapshot);
    expect(existsSync(join(dir, '.ramp/backfill.json'))).toBe(false);
  });

  it('a backfill that stops resumes at the first date not done', async () => {
    const dir = await scaffold();
    const input = join(dir, 'data/input/orders/2026-03-04.csv');
    renameSync(input, `${input}.late`);
    const r1 = ramp(['pipeline', 'run', dir, '--from', '2026-03-01', '--to', '2026-03-07']);
    expect(r1.status).toBe(1);
    expect(r1.stderr).toContain('no input for 2026-03-04');
    expect(JSON.parse(readFileSync(join(dir, '.ramp/backfill.json'), 'utf8')).done).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    renameSync(`${input}.late`, input);
    const r2 = ramp(['pipeline', 'run', dir, '--from', '2026-03-01', '--to', '2026-03-07', '--json']);
    expect(r2.status).toBe(0);
    expect(r2.json().dates.map((d: any) => d.date)).toEqual(['2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07']);
  });

  it('usage: a date is required, well formed, and a range is ordered', async () => {
    const dir = await scaffold();
    for (const args of [[], ['--date', '2026-02-30'], ['--date', 'yesterday'], ['--from', '2026-03-02'], ['--from', '2026-03-05', '--to', '2026-03-01'], ['--date', '2026-03-01', '--from', '2026-03-01', '--to', '2026-03-02']]) {
      expect(ramp(['pipeline', 'run', dir, ...args]).status, args.join(' ')).toBe(2);
    }
  });

  it('bad input: malformed CSV exits 4 and leaves the partition as it was', async () => {
    const dir = await scaffold();
    ramp(['pipeline', 'run', dir, '--date', '2026-03-01']);
    const before = readFileSync(part(dir, '2026-03-01'), 'utf8');
    writeFileSync(join(dir, 'data/input/orders/2026-03-01.csv'), 'order_id,shop_id,status,amount,ordered_at\nO1,S001,"placed,12.0,2026-03-01T00:00:00Z\n');
    const r = ramp(['pipeline', 'run', dir, '--date', '2026-03-01']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/not valid CSV/);
    expect(readFileSync(part(dir, '2026-03-01'), 'utf8')).toBe(before);
  });

  it('a partition that breaks the contract is not published (exit 6): the row and column are named', async () => {
    const dir = await scaffold();
    ramp(['pipeline', 'run', dir, '--date', '2026-03-01']);
    const before = readFileSync(part(dir, '2026-03-01'), 'utf8');
    writeFileSync(join(dir, 'data/input/orders/2026-03-01.csv'), 'order_id,shop_id,status,amount,ordered_at\nO1,S001,placed,12.00,2026-03-01T00:00:00Z\nO2,S002,placed,-40.00,2026-03-01T01:00:00Z\n');
    const r = ramp(['pipeline', 'run', dir, '--date', '2026-03-01']);
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(/minimum on revenue: 1 row, e\.g\. row 2: "-40\.00"\); the partition was not published/);
    expect(readFileSync(part(dir, '2026-03-01'), 'utf8')).toBe(before);
  });

  it('wrong types in the transformation\'s output are caught by the contract', async () => {
    const dir = await scaffold();
    writeFileSync(join(dir, 'transform.mjs'), 'export default () => [{ shop_id: "S001", order_date: "2026-03-01", orders: "two", revenue: "1.0" }];\n');
    const r = ramp(['pipeline', 'run', dir, '--date', '2026-03-01']);
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(/type on orders: 1 row, e\.g\. row 1: "two"/);
    expect(existsSync(part(dir, '2026-03-01'))).toBe(false);
  });
});

describe('atomic partition replace', () => {
  const failing = (when: 'write' | 'sync' | 'rename'): PartitionIo => {
    let writes = 0;
    const nodeIo = fsIo(nodeFs);
    return { ...nodeIo, write: (fd, t) => { if (when === 'write' && ++writes === 2) throw new Error('disk full'); nodeIo.write(fd, t); }, sync: (fd) => { if (when === 'sync') throw new Error('EIO'); nodeIo.sync(fd); }, rename: (a, b) => { if (when === 'rename') throw new Error('crash'); nodeIo.rename(a, b); } };
  };
  it.each(['write', 'sync', 'rename'] as const)('a failure at %s leaves the previous partition intact and no temporary file', async (when) => {
    const dir = await scaffold();
    const pdir = join(dir, 'data/orders_daily/date=2026-03-01');
    replacePartition(nodeFs, pdir, ['a,b', '1,2']);
    const big = ['a,b', ...Array.from({ length: 10_000 }, (_, i) => `${i},${i}`)];
    expect(() => replacePartition(nodeFs, pdir, big, failing(when))).toThrow();
    expect(readFileSync(join(pdir, 'part.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(readdirSync(pdir)).toEqual(['part.csv']);
  });

  it('temporary files a killed run left are swept by the next run', async () => {
    const dir = await scaffold();
    const pdir = join(dir, 'data/orders_daily/date=2026-03-01');
    replacePartition(nodeFs, pdir, ['a', '1']);
    writeFileSync(join(pdir, '.part.csv.123.abc.tmp'), 'half');
    replacePartition(nodeFs, pdir, ['a', '2']);
    expect(readdirSync(pdir)).toEqual(['part.csv']);
  });

  it('SIGKILL at random points: the partition is always the old or the new complete one', async () => {
    const dir = await scaffold();
    const rows = (tag: string): string => ['order_id,shop_id,status,amount,ordered_at', ...Array.from({ length: 20_000 }, (_, i) => `O${i},S${String(i % 1000).padStart(3, '0')},placed,${tag}.00,2026-03-01T00:00:00Z`)].join('\n');
    const input = join(dir, 'data/input/orders/2026-03-01.csv');
    const complete = new Set<string>();
    const runOnce = (killAfterMs: number | null): Promise<number | null> => new Promise((res) => {
      const child = spawn(process.execPath, [BIN, 'pipeline', 'run', dir, '--date', '2026-03-01'], { stdio: 'ignore' });
      if (killAfterMs !== null) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.on('exit', (code) => res(code));
    });
    for (const tag of ['1', '2']) {
      writeFileSync(input, rows(tag));
      expect(await runOnce(null)).toBe(0);
      complete.add(readFileSync(part(dir, '2026-03-01'), 'utf8'));
    }
    const runs = Number(process.env.RAMP_KILL_RUNS ?? 30);
    let killedMidway = 0;
    for (let i = 0; i < runs; i++) {
      writeFileSync(input, rows(i % 2 ? '1' : '2'));
      const code = await runOnce(Math.floor(Math.random() * 400));
      if (code === null) killedMidway++;
      expect(complete.has(readFileSync(part(dir, '2026-03-01'), 'utf8')), `run ${i}`).toBe(true);
    }
    expect(killedMidway).toBeGreaterThan(0);
  }, 180_000);
});
