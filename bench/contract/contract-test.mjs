// `ramp contract test` on N rows × 20 columns, with peak memory, against the same rules in
// pandas when python3 has it (Debian: apt-get install python3-pandas).
// Usage: node bench/contract/contract-test.mjs [rows=1000000]
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'out');
mkdirSync(out, { recursive: true });
const rows = Number(process.argv[2] ?? 1_000_000);
const ramp = join(here, '..', '..', 'labs', 'ramp', 'bin', 'ramp.mjs');

const cols = [{ name: 'id', logicalType: 'string', primaryKey: true }];
for (let i = 1; i < 20; i++) {
  if (i % 4 === 1) cols.push({ name: `n${i}`, logicalType: 'number', required: true, logicalTypeOptions: { minimum: 0, maximum: 1000 } });
  else if (i % 4 === 2) cols.push({ name: `i${i}`, logicalType: 'integer', required: true });
  else if (i % 4 === 3) cols.push({ name: `s${i}`, logicalType: 'string', quality: [{ metric: 'invalidValues', arguments: { validValues: ['a', 'b', 'c'] }, mustBe: 0 }] });
  else cols.push({ name: `d${i}`, logicalType: 'date' });
}
const contract = { apiVersion: 'v3.1.0', kind: 'DataContract', id: 'bench', version: '1.0.0', status: 'active', schema: [{ name: 't', properties: cols }] };
writeFileSync(join(out, 'contract.json.yaml'), JSON.stringify(contract));
const data = join(out, `data-${rows}.csv`);
const w = createWriteStream(data);
w.write(`${cols.map((c) => c.name).join(',')}\n`);
for (let r = 0; r < rows; r++) {
  const cells = [`r${r}`];
  for (let i = 1; i < 20; i++) cells.push(i % 4 === 1 ? ((r * 7 + i) % 1000).toFixed(2) : i % 4 === 2 ? String(r + i) : i % 4 === 3 ? 'abc'[(r + i) % 3] : `2026-03-${String(1 + ((r + i) % 28)).padStart(2, '0')}`);
  if (!w.write(`${cells.join(',')}\n`)) await new Promise((res) => w.once('drain', res));
}
await new Promise((res) => w.end(res));

function timed(cmd, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const kb = Number(r.stderr.trim().split('\n').pop());
  return { s, mb: kb / 1024, status: r.status };
}
const mine = timed(process.execPath, [ramp, 'contract', 'test', join(out, 'contract.json.yaml'), data, '--json']);
console.log(`ramp contract test: ${rows} rows × 20 columns: ${mine.s.toFixed(2)} s, peak RSS ${mine.mb.toFixed(0)} MB (exit ${mine.status})`);

const py = `
import sys, pandas as pd
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
bad = 0
for c in df.columns:
    s = df[c]
    if c == 'id': bad += int(s.duplicated().sum())
    elif c[0] == 'n':
        v = pd.to_numeric(s, errors='coerce'); bad += int(((v < 0) | (v > 1000) | v.isna()).sum())
    elif c[0] == 'i': bad += int((~s.str.fullmatch(r'[+-]?\\d+')).sum())
    elif c[0] == 's': bad += int((~s.isin(['a','b','c']) & (s != '')).sum())
    else: bad += int((pd.to_datetime(s, format='%Y-%m-%d', errors='coerce').isna() & (s != '')).sum())
print(bad)
`;
// Debian's python first (it has python3-pandas); a pyenv `python3` on PATH may not.
const python = ['/usr/bin/python3', 'python3'].find((bin) => spawnSync(bin, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0);
if (python) {
  const p = timed(python, ['-c', py, data]);
  console.log(`pandas, same rules:  ${p.s.toFixed(2)} s, peak RSS ${p.mb.toFixed(0)} MB; ratio ramp/pandas ${(mine.s / p.s).toFixed(2)}×`);
} else console.log('pandas: not installed (apt-get install python3-pandas), no ratio');
