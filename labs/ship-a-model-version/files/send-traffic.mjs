// Replays recent.csv against the live endpoint, one customer per request, as the app would.
// Usage: node send-traffic.mjs [rows]   (default: every row of recent.csv)
import { readFileSync } from 'node:fs';

const BASE = 'http://127.0.0.1:8080/v2/models/churn';
const limit = Number(process.argv[2] ?? Infinity);

/** The model's metadata; a server started a moment ago may still be loading its models. */
async function metadata() {
  for (let i = 0; ; i++) {
    try {
      return await (await fetch(BASE)).json();
    } catch (e) {
      if (i >= 40) throw new Error(`nothing answers on ${BASE}: start ramp serve --traffic traffic.yaml --port 8080 first`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
const meta = await metadata();
const [header, ...lines] = readFileSync('recent.csv', 'utf8').trim().split('\n');
const names = header.split(',');
const rows = lines.slice(0, limit).map((l) => Object.fromEntries(l.split(',').map((v, j) => [names[j], v])));
const counts = {};
let failed = 0;

async function send(row) {
  const inputs = meta.inputs.map((t) => {
    const v = row[t.name];
    const value = v === '' ? null : t.datatype === 'BYTES' ? v : Number(v);
    return { name: t.name, shape: [1], datatype: t.datatype, data: [value] };
  });
  const res = await fetch(`${BASE}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ parameters: { customer_id: row.customer_id }, inputs }) });
  const body = await res.json();
  if (!res.ok) failed++;
  else counts[body.model_version] = (counts[body.model_version] ?? 0) + 1;
}

const queue = [...rows];
await Promise.all(Array.from({ length: 8 }, async () => { while (queue.length) await send(queue.shift()); }));
// A single model (ramp serve MODEL) answers without a model_version.
const split = Object.entries(counts).filter(([v]) => v !== 'undefined').map(([v, n]) => `${v}: ${n}`).join(', ');
console.log(`sent ${rows.length} requests; ${split ? `answered by version: ${split}` : `${counts.undefined ?? 0} answered`}${failed ? `; ${failed} failed` : ''}`);
