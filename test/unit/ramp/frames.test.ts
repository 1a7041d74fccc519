// The headline model: a churn Pipeline(ColumnTransformer(impute+scale numbers, one-hot strings),
// LogisticRegression) fitted on a pandas DataFrame with missing values. Inspect, scan, predict from
// JSON records, CSV and V2, and serve — with scikit-learn's answers (test/fixtures/churn/expected.json,
// written by test/fixtures/make_models_frames.py).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose, ramp, ROOT } from './helpers.ts';
import { post, start, type Srv } from './serve-helpers.ts';

const CHURN = join(ROOT, 'test', 'fixtures', 'churn');
const file = (f: string) => join(CHURN, f);
const exp = JSON.parse(readFileSync(file('expected.json'), 'utf8')) as { predictions: number[]; probabilities: number[][] };

describe('ramp on a DataFrame pipeline with text columns and missing values', () => {
  it('inspect shows the whole step tree, the text columns and their categories', () => {
    const r = ramp(['inspect', file('churn.joblib')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Estimator\s+Pipeline\n\s+preprocess: ColumnTransformer\n\s+num: Pipeline\n\s+impute: SimpleImputer\n\s+scale: StandardScaler\n\s+cat: OneHotEncoder\n\s+clf: LogisticRegression/);
    expect(r.stdout).toMatch(/Features\s+7: tenure_months, monthly_spend, support_tickets, days_since_login, plan \(text\), region \(text\), contract \(text\)/);
    expect(r.stdout).not.toMatch(/not supported/);
    const j = ramp(['inspect', file('churn.joblib'), '--json']).json();
    expect(j.supported).toBe(true);
    expect(j.inputs.find((c: { name: string }) => c.name === 'contract')).toEqual({ name: 'contract', kind: 'string', categories: ['annual', 'monthly'] });
  });

  it('scan says safe: numpy.float64 and slice are data, not code', () => {
    const r = ramp(['scan', file('churn.joblib'), '--json']);
    expect(r.status).toBe(0);
    expect(r.json()).toMatchObject({ safe: true, verdict: 'safe', findings: [], unsupported: [] });
    expect(r.json().globals).toContain('numpy.float64');
  });

  it.each(['rows.json', 'rows.csv', 'rows-v2.json'])('predict from %s gives scikit-learn\'s answers, unseen categories and missing values included', (input) => {
    const r = ramp(['predict', file('churn.joblib'), '--input', file(input), '--proba', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.json().predictions).toEqual(exp.predictions);
    expectClose(r.json().probabilities, exp.probabilities);
  });

  it('init writes the columns with their datatypes, and an example request with one tensor per column', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ramp-')), 'churn-endpoint');
    expect(ramp(['init', 'model-endpoint', dir, '--model', file('churn.joblib')]).status).toBe(0);
    const yaml = readFileSync(join(dir, 'ramp.yaml'), 'utf8');
    expect(yaml).toContain('n_features: 7');
    expect(yaml).toContain('    - { name: "tenure_months", datatype: FP64 }\n');
    expect(yaml).toContain('    - { name: "plan", datatype: BYTES }\n');
    const req = JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8'));
    expect(req.inputs.map((t: { name: string }) => t.name)).toEqual(['tenure_months', 'monthly_spend', 'support_tickets', 'days_since_login', 'plan', 'region', 'contract']);
    expect(req.inputs[4]).toEqual({ name: 'plan', shape: [1], datatype: 'BYTES', data: ['basic'] });
    const r = ramp(['predict', file('churn.joblib'), '--input', join(dir, 'request.json'), '--json']);
    expect(r.status).toBe(0);
    expect(r.json().predictions).toHaveLength(1);
  });

  it('a number where the model takes text is refused, naming row and column', () => {
    const rows = JSON.parse(readFileSync(file('rows.json'), 'utf8')) as { instances: Array<Record<string, unknown>> };
    rows.instances[1]!.plan = 3;
    const r = ramp(['predict', file('churn.joblib'), '--input', '-', '--json'], { input: JSON.stringify(rows) });
    expect(r.status).toBe(1);
    expect(r.json().error.message).toMatch(/row 1, "plan" is the number 3, expected text/);
  });
});

describe('ramp serve on the churn pipeline', () => {
  let s: Srv;
  beforeAll(async () => {
    s = await start(file('churn.joblib'), ['--name', 'churn']);
  }, 45_000);
  afterAll(() => {
    s.proc.kill('SIGKILL');
  });

  it('metadata lists one tensor per column, BYTES for text, and every column with its categories', async () => {
    const meta = await (await fetch(`${s.base}/v2/models/churn`)).json();
    expect(meta.inputs).toHaveLength(7);
    expect(meta.inputs[0]).toEqual({ name: 'tenure_months', datatype: 'FP64', shape: [-1] });
    expect(meta.inputs[4]).toEqual({ name: 'plan', datatype: 'BYTES', shape: [-1] });
    expect(meta.parameters.columns[5]).toMatchObject({ name: 'region', datatype: 'BYTES', categories: ['apac', 'eu-west', 'latam', 'us-east', 'us-west'] });
  });

  it('V2 with one tensor per column answers as scikit-learn', async () => {
    const body = JSON.parse(readFileSync(file('rows-v2.json'), 'utf8'));
    const r = await post(`${s.base}/v2/models/churn/infer`, body);
    expect(r.status).toBe(200);
    const out = await r.json();
    expect(out.outputs[0]).toMatchObject({ name: 'predict', shape: [3], data: exp.predictions });
    expectClose(out.outputs[1].data, exp.probabilities.flat());
  });

  it('V1 with records answers as scikit-learn', async () => {
    const body = JSON.parse(readFileSync(file('rows.json'), 'utf8'));
    const r = await post(`${s.base}/v1/models/churn:predict`, body);
    expect(await r.json()).toEqual({ predictions: exp.predictions });
  });

  it('a missing column tensor, an unknown one and a wrong type are 400s naming them', async () => {
    const body = JSON.parse(readFileSync(file('rows-v2.json'), 'utf8')) as { inputs: Array<Record<string, unknown>> };
    const without = { inputs: body.inputs.filter((t) => t.name !== 'region') };
    const renamed = { inputs: body.inputs.map((t) => (t.name === 'region' ? { ...t, name: 'Region' } : t)) };
    const wrong = { inputs: body.inputs.map((t) => (t.name === 'plan' ? { ...t, datatype: 'FP64', data: [1, 2, 3] } : t)) };
    for (const [b, re] of [[without, /missing input tensor "region"/], [renamed, /input tensor "Region" is not a column of the model/], [wrong, /row 0, "plan" is the number 1, expected text/]] as const) {
      const r = await post(`${s.base}/v2/models/churn/infer`, b);
      expect(r.status).toBe(400);
      expect((await r.json()).error).toMatch(re);
    }
  });

  it('the model page has text boxes for text columns, with the known categories', async () => {
    const html = await (await fetch(`${s.base}/`)).text();
    expect(html).toMatch(/<input id="f4" name="f4" type="text" value="basic" list="c4"><datalist id="c4"><option value="basic"><\/option>/);
    expect(html).toContain('"datatype":"BYTES"');
  });
});

describe('bundles: a dict or tuple saved with the model inside', () => {
  const B = (f: string) => join(ROOT, 'test', 'fixtures', 'bundles', f);
  it('a dict with one estimator: inspect names the key, predict finds the model without --key', () => {
    const r = ramp(['inspect', B('churn_bundle.joblib')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Bundle\s+a dict; the model is under key "model" \(keys: model, metrics, features\)/);
    const p = ramp(['predict', B('churn_bundle.joblib'), '--input', file('rows.json'), '--json']);
    expect(p.json().predictions).toEqual(exp.predictions);
    expect(ramp(['predict', B('churn_tuple.pkl'), '--key', '0', '--input', file('rows.json'), '--json']).json().predictions).toEqual(exp.predictions);
  });
  it('two estimators: inspect lists the keys, predict asks for --key and says why, --key picks one', () => {
    const r = ramp(['inspect', B('two_estimators.joblib')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Bundle\s+a dict with 3 keys\n\s+preprocess\s+ColumnTransformer\n\s+classifier\s+LogisticRegression\n\s+version\s+number/);
    const p = ramp(['predict', B('two_estimators.joblib'), '--input', file('rows.json')]);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/not a single model: preprocess \(ColumnTransformer\), classifier \(LogisticRegression\), version \(number\)/);
    expect(p.stderr).toMatch(/--key preprocess; if the estimators are the steps of one model, save them as one Pipeline/);
    const bad = ramp(['inspect', B('two_estimators.joblib'), '--key', 'model']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no key "model"; it holds preprocess/);
    expect(ramp(['inspect', B('two_estimators.joblib'), '--key', 'classifier', '--json']).json()).toMatchObject({ estimator: 'LogisticRegression', bundle: { key: 'classifier' } });
  });
});
