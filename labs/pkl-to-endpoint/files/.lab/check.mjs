// The lab's checks: `node .lab/check.mjs <step>` exits 0 when the step is done.
// Plain Node (18+), no dependencies, so it runs the same in a WebContainer, on the lab runner and
// in the tab (whose node has only the asynchronous child_process).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

// What scikit-learn predicts for the three rows of rows.json (test/fixtures/churn/expected.json).
const EXPECTED = [0, 1, 1];
const fail = (why) => {
  console.log(`✗ ${why}`);
  process.exit(1);
};
const pass = (what) => {
  console.log(`✓ ${what}`);
  process.exit(0);
};
const json = (file) => {
  if (!existsSync(file)) fail(`${file} does not exist yet`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`${file} is not valid JSON: ${error.message}`);
  }
};
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function get(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return res.status;
  } catch {
    return 0;
  }
}

const step = process.argv[2];
switch (step) {
  case 'inspect': {
    const a = json('answers.json');
    if (a.n_features !== 7) fail(`n_features is ${JSON.stringify(a.n_features)}; ramp inspect tells you how many input columns the model takes`);
    if (!same(a.classes, [0, 1])) fail(`classes is ${JSON.stringify(a.classes)}; list the class labels in the order ramp inspect gives them, as numbers`);
    const text = Array.isArray(a.text_columns) ? [...a.text_columns].sort() : a.text_columns;
    if (!same(text, ['contract', 'plan', 'region'])) fail(`text_columns is ${JSON.stringify(a.text_columns)}; list the columns ramp inspect marks (text)`);
    pass('answers.json matches the model');
  }
  case 'scan': {
    if (!existsSync('scan.txt')) fail('scan.txt does not exist yet');
    const text = readFileSync('scan.txt', 'utf8').toLowerCase();
    if (!text.includes('safe') || text.includes('unsafe')) fail('scan.txt does not hold the verdict "safe"');
    pass('the scan verdict is saved');
  }
  case 'predict': {
    const p = json('predictions.json');
    if (!Array.isArray(p.predictions)) fail('predictions.json has no "predictions" list');
    if (!same(p.predictions, EXPECTED)) fail(`predictions are ${JSON.stringify(p.predictions)}; expected one label per row of rows.json`);
    pass('offline predictions match');
  }
  case 'serve': {
    // A server started a moment ago may still be loading the model: give it a few seconds.
    let status = 0;
    for (let i = 0; i < 16 && status !== 200; i++) {
      if (i) await new Promise((r) => setTimeout(r, 500));
      status = await get('http://127.0.0.1:8080/v2/health/ready');
    }
    if (status !== 200) fail(status ? `/v2/health/ready answered ${status}` : 'nothing answers on port 8080');
    pass('the endpoint is ready');
  }
  case 'call': {
    const run = await new Promise((resolve) => {
      execFile(process.execPath, ['call.mjs'], { encoding: 'utf8', timeout: 10_000 }, (error, stdout, stderr) => resolve({ status: error ? (error.code ?? 1) : 0, stdout, stderr }));
    });
    if (run.status !== 0) fail(`node call.mjs failed: ${(run.stderr || run.stdout || '').trim().split('\n').pop()}`);
    let body;
    try {
      body = JSON.parse(run.stdout);
    } catch {
      fail('node call.mjs did not print the JSON response');
    }
    const predict = body.outputs?.find((o) => o.name === 'predict');
    if (!predict || !same(predict.data, EXPECTED)) fail(`the "predict" output is ${JSON.stringify(predict?.data)}; expected ${JSON.stringify(EXPECTED)}`);
    pass('the live endpoint answers with the same predictions');
  }
  case 'init': {
    for (const f of ['churn-endpoint/ramp.yaml', 'churn-endpoint/request.json', 'churn-endpoint/README.md']) if (!existsSync(f)) fail(`${f} does not exist yet`);
    pass('the project is scaffolded');
  }
  default:
    fail(`unknown step "${step}"`);
}
