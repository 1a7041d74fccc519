// The lab's checks: `node .lab/check.mjs <step>` exits 0 when the step is done.
// Plain Node (18+), no dependencies, so it runs the same in a WebContainer and on the lab runner.
import { existsSync, readFileSync } from 'node:fs';

const BASE = 'http://127.0.0.1:8080';
const fail = (why) => {
  console.log(`✗ ${why}`);
  process.exit(1);
};
const pass = (what) => {
  console.log(`✓ ${what}`);
  process.exit(0);
};
const read = (file) => {
  if (!existsSync(file)) fail(`${file} does not exist yet`);
  return readFileSync(file, 'utf8');
};

/** The server's per-version metrics: { "7/routed": 123, ... } and weights { "7": 90 }, or null. */
async function metrics() {
  // A server started a moment ago may still be loading its models: give it a few seconds.
  let text = null;
  for (let i = 0; i < 16 && !text?.includes('ramp_traffic_weight'); i++) {
    if (i) await new Promise((r) => setTimeout(r, 500));
    try {
      const res = await fetch(`${BASE}/metrics`, { signal: AbortSignal.timeout(3000) });
      if (res.ok) text = await res.text();
    } catch {}
  }
  if (text === null) fail('nothing answers on port 8080; start ramp serve --traffic traffic.yaml --port 8080 --log-predictions logs &');
  const requests = {};
  const weights = {};
  const shadows = new Set();
  for (const m of text.matchAll(/^ramp_version_requests_total\{[^}]*version="([^"]+)",role="([^"]+)"\} (\d+)/gm)) requests[`${m[1]}/${m[2]}`] = Number(m[3]);
  for (const m of text.matchAll(/^ramp_traffic_weight\{[^}]*version="([^"]+)",shadow="(true|false)"\} ([\d.]+)/gm)) {
    weights[m[1]] = Number(m[3]);
    if (m[2] === 'true') shadows.add(m[1]);
  }
  if (!text.includes('ramp_traffic_weight')) fail('the server on port 8080 is not serving traffic.yaml; stop it and start ramp serve --traffic traffic.yaml');
  return { requests, weights, shadows };
}

/** Waits for the watched traffic.yaml to be applied (it is polled every 200 ms). */
async function settled(test) {
  let m;
  for (let i = 0; i < 10; i++) {
    m = await metrics();
    if (test(m)) return m;
    await new Promise((r) => setTimeout(r, 300));
  }
  return m;
}

const step = process.argv[2];
switch (step) {
  case 'validate': {
    const md = read('report-v8.md');
    if (!md.includes('ramp validate')) fail('report-v8.md is not a ramp validate report; add --markdown and redirect it with > report-v8.md');
    if (!md.includes('region=latam')) fail('report-v8.md has no per-slice rows; use --config ramp.yaml so the slices are scored');
    pass('the validation report for version 8 is saved');
  }
  case 'slice': {
    let a;
    try {
      a = JSON.parse(read('answers.json'));
    } catch (e) {
      fail(`answers.json is not valid JSON: ${e.message}`);
    }
    if (a.failing_slice !== 'region=latam') fail(`failing_slice is ${JSON.stringify(a.failing_slice)}; it is the scope of the FAIL rows in report-v8.md, written as column=value`);
    pass('you found the slice where version 8 is worse');
  }
  case 'pick': {
    const md = read('report-v9.md');
    if (!md.includes('churn-v9.joblib')) fail('report-v9.md is not the report for churn-v9.joblib');
    if (!md.includes('✅ meets the bar')) fail('report-v9.md does not say the candidate meets the bar; validate churn-v9.joblib against churn-v7.joblib with --config ramp.yaml');
    pass('version 9 meets the bar');
  }
  case 'canary': {
    const m = await settled((x) => x.weights['9'] === 10);
    if (m.weights['9'] !== 10 || m.weights['7'] !== 90) fail(`the weights in force are ${JSON.stringify(m.weights)}; traffic.yaml should send 90 to version 7 and 10 to version 9`);
    pass('version 9 is deployed as a 10 % canary');
  }
  case 'traffic': {
    const m = await metrics();
    const base = m.requests['7/routed'] ?? 0;
    const canary = m.requests['9/routed'] ?? 0;
    if (base + canary < 200) fail(`only ${base + canary} routed requests so far; run node send-traffic.mjs`);
    const share = canary / (base + canary);
    if (share < 0.03 || share > 0.2) fail(`version 9 answered ${(share * 100).toFixed(1)} % of requests; with weight 10 it should be near 10 %`);
    pass(`version 9 answered ${(share * 100).toFixed(1)} % of ${base + canary} requests`);
  }
  case 'shadow': {
    const m = await settled((x) => x.shadows.has('8'));
    if (!m.shadows.has('8')) fail('version 8 is not a shadow yet: add it to traffic.yaml with weight 0 and shadow: true');
    if (!(m.requests['8/shadow'] > 0)) fail('version 8 has not shadowed any request yet; send traffic again with node send-traffic.mjs');
    if (m.requests['8/routed']) fail('version 8 answered requests itself; a shadow only gets copies');
    pass(`version 8 shadowed ${m.requests['8/shadow']} requests without answering any`);
  }
  case 'drift': {
    const text = read('drift.txt');
    const line = text.split('\n').find((l) => l.startsWith('monthly_spend'));
    if (!line) fail('drift.txt has no row for monthly_spend; run ramp drift on logs/churn-7.csv with --model churn-v7.joblib and save it with | tee drift.txt');
    if (!line.includes('DRIFT')) fail('drift.txt does not flag monthly_spend; compare the logged traffic (--current logs/churn-7.csv) with train.csv');
    pass('ramp drift found the drifted feature: monthly_spend');
  }
  case 'rollback': {
    const m = await settled((x) => x.weights['7'] === 100 && !x.weights['9']);
    if (m.weights['7'] !== 100) fail(`the weights in force are ${JSON.stringify(m.weights)}; bring back the production traffic.yaml`);
    if (!(m.requests['9/routed'] > 0)) fail('the server has no record of the canary: it was restarted; a rollback is an edit of traffic.yaml, the server keeps running');
    // Every new customer meets the baseline again.
    const meta = await (await fetch(`${BASE}/v2/models/churn`)).json();
    const inputs = meta.inputs.map((t) => ({ name: t.name, shape: [1], datatype: t.datatype, data: [t.datatype === 'BYTES' ? 'basic' : 1] }));
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${BASE}/v2/models/churn/infer`, { method: 'POST', body: JSON.stringify({ parameters: { customer_id: `rollback-${i}` }, inputs }) });
      const body = await res.json();
      if (body.model_version !== '7') fail(`customer rollback-${i} was answered by version ${body.model_version}`);
    }
    pass('traffic is back on version 7, without a restart');
  }
  default:
    fail(`unknown step "${step}"`);
}
