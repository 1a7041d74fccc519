// The lab's checks: `node .lab/check.mjs <step>` exits 0 when the step is done.
// Plain Node, no dependencies beyond the lab's own files.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const MODEL = 'http://127.0.0.1:8080';
const NEXT = 'http://127.0.0.1:8081';
const fail = (why) => {
  console.log(`✗ ${why}`);
  process.exit(1);
};
const pass = (what) => {
  console.log(`✓ ${what}`);
  process.exit(0);
};

async function get(url) {
  for (let i = 0; i < 16; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      return { status: res.status, body: await res.json().catch(() => null) };
    } catch {
      await new Promise((r) => setTimeout(r, 500)); // a server started a moment ago may still be loading
    }
  }
  return { status: 0, body: null };
}
const faults = async () => (await get(`${MODEL}/admin/faults`)).body?.rules ?? null;
const setFaults = (spec) => fetch(`${MODEL}/admin/faults`, { method: 'PUT', body: spec });

/** Runs `fn` with these faults on, then puts the learner's faults back. */
async function withFaults(spec, fn) {
  const before = (await faults()) ?? [];
  await setFaults(spec);
  try {
    return await fn();
  } finally {
    await setFaults(before.map((r) => r.spec).join('\n') || 'none');
  }
}

async function loadService() {
  try {
    return await import(`${process.cwd()}/service.mjs?${Date.now()}`);
  } catch (e) {
    fail(`service.mjs does not load: ${e.message}`);
  }
}

const step = process.argv[2];
switch (step) {
  case 'serve': {
    const ready = await get(`${MODEL}/v2/health/ready`);
    if (ready.status !== 200) fail('nothing answers on http://127.0.0.1:8080 yet');
    if ((await faults()) === null) fail('the server on 8080 has no fault layer: start it with --fault none');
    pass('the model is served, with faults ready to turn on');
  }
  case 'client': {
    const file = 'client/src/model.ts';
    if (!existsSync(file)) fail(`${file} does not exist yet`);
    const text = readFileSync(file, 'utf8');
    if (!text.includes('export interface Row') || !text.includes('"plan": "basic" | "premium" | "standard"')) fail(`${file} is not typed from the churn model`);
    if (!existsSync('client/src/client.ts')) fail('client/src/client.ts does not exist yet');
    pass('the client is generated from the running model');
  }
  case 'latency': {
    const rules = await faults();
    if (!rules) fail('the model server on 8080 is not running with --fault');
    if (!rules.some((r) => /latency(-p50)?=\d+(\.\d+)?s/.test(r.spec) || /latency=\d{4,}ms/.test(r.spec))) fail(`no latency of a second or more is on (rules: ${JSON.stringify(rules.map((r) => r.spec))})`);
    pass('the model is slow now');
  }
  case 'budget': {
    const svc = await loadService();
    const t0 = performance.now();
    const answer = await withFaults('latency=3s', () => Promise.race([svc.score(svc.CUSTOMERS[42]), new Promise((r) => setTimeout(() => r('too slow'), 1500))]));
    const ms = Math.round(performance.now() - t0);
    if (answer === 'too slow') fail('score() waited more than 1.5 s for a model that takes 3 s: use the client, whose budget is 300 ms');
    if (!answer?.degraded) fail(`score() answered ${JSON.stringify(answer)} from a model that takes 3 s; expected the fallback, marked degraded`);
    pass(`score() gave up after ${ms} ms and answered the fallback: ${JSON.stringify(answer)}`);
  }
  case 'errors': {
    const rules = await faults();
    if (!rules?.some((r) => /error-rate=(1|0\.[5-9]\d*)/.test(r.spec) && !/status=500/.test(r.spec))) fail(`no error rate of 0.5 or more with a retryable status is on (rules: ${JSON.stringify(rules?.map((r) => r.spec))})`);
    const svc = await loadService();
    if (!svc.client) fail('service.mjs does not export its client');
    for (let i = 0; i < 6; i++) await svc.score(svc.CUSTOMERS[42]);
    const m = svc.client.metrics;
    if (m.retries === 0) fail('the client never retried');
    if (m.breakerOpened === 0) fail(`the breaker never opened (attempts ${m.attempts}, fallbacks ${m.fallbacks})`);
    pass(`retries ${m.retries}, breaker opened ${m.breakerOpened} time(s), ${m.shortCircuited} call(s) answered at once by the fallback`);
  }
  case 'export': {
    if (!existsSync('model.contract.json')) fail('model.contract.json does not exist yet');
    let c;
    try {
      c = JSON.parse(readFileSync('model.contract.json', 'utf8'));
    } catch (e) {
      fail(`model.contract.json is not JSON: ${e.message}`);
    }
    if (c.name !== 'churn' || JSON.stringify(c.classes) !== '[0,1]') fail('model.contract.json is not the churn model\'s contract (classes 0 and 1)');
    pass('the contract your client was built for is saved');
  }
  case 'check': {
    const meta = await get(`${NEXT}/v2/models/churn`);
    if (meta.status !== 200) fail('no model "churn" answers on http://127.0.0.1:8081 yet');
    const run = await new Promise((resolve) => {
      execFile('ramp', ['contract', 'check', '--expect', 'model.contract.json', '--against', NEXT, '--json'], { encoding: 'utf8' }, (error, stdout) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout }));
    });
    if (run.status !== 6) fail(`ramp contract check exited ${run.status}, not 6: the model on 8081 is not a breaking change for model.contract.json`);
    const kinds = JSON.parse(run.stdout).breaking.map((b) => b.kind);
    if (!kinds.includes('class_added')) fail(`expected a class_added change, got ${kinds.join(', ')}`);
    pass('ramp contract check fails (exit 6) on the new version before anything breaks');
  }
  default:
    fail(`unknown step "${step}"`);
}
