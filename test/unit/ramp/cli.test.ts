// The real bin, spawned: outputs and exit codes.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRamp } from '../../../labs/ramp/build.mjs';
import { expectClose, expected, MODELS, ramp } from './helpers.ts';

const M = (f: string): string => join(MODELS, f);

describe('ramp --help / --version / usage', () => {
  it('prints help and version', () => {
    const h = ramp(['--help']);
    expect(h.status).toBe(0);
    for (const c of ['inspect', 'scan', 'predict', 'serve', 'init', 'Exit codes']) expect(h.stdout).toContain(c);
    for (const c of ['inspect', 'scan', 'predict', 'serve', 'init']) {
      const r = ramp([c, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Usage: ramp/);
    }
    const v = ramp(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^ramp \d+\.\d+\.\d+$/);
  });
  it('usage errors exit 2 with a hint', () => {
    for (const args of [[], ['frobnicate'], ['inspect'], ['inspect', 'a', 'b'], ['predict', M('dtc.p4.pkl')], ['scan', M('dtc.p4.pkl'), '--bogus'], ['serve', M('dtc.p4.pkl'), '--port', 'x'], ['scan', M('dtc.p4.pkl'), '--proba']]) {
      const r = ramp(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).toMatch(/hint: /);
    }
  });
  it('--json errors are {"error": {code, message, hint}} on stdout', () => {
    const r = ramp(['inspect', '/nonexistent/model.pkl', '--json']);
    expect(r.status).toBe(1);
    const e = r.json().error;
    expect(e.code).toBe('not_found');
    expect(e.message).toContain('/nonexistent/model.pkl');
    expect(e.hint).toMatch(/\w{3}/);
  });
  it('no colour when not a TTY', () => {
    const r = ramp(['inspect', M('dtc.p4.pkl')], { env: { NO_COLOR: '' } });
    expect(r.stdout).not.toContain('\x1b[');
  });
});

describe('ramp inspect', () => {
  it('human summary', () => {
    const r = ramp(['inspect', M('pipe_std_logreg.gz.joblib')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Estimator\s+Pipeline\n\s+scale: StandardScaler\n\s+clf: LogisticRegression\n/);
    expect(r.stdout).toMatch(/scikit-learn\s+1\.2\.1/);
    expect(r.stdout).toMatch(/Format\s+joblib \(gzip-compressed\), pickle protocol 4/);
    expect(r.stdout).toMatch(/Features\s+4: sepal_length, sepal_width, petal_length, petal_width/);
    expect(r.stdout).toMatch(/Classes\s+3: setosa, versicolor, virginica/);
    expect(r.stdout).toMatch(/Safety\s+safe/);
  });
  it('--json', () => {
    const j = ramp(['inspect', M('rfc_int.p5.pkl'), '--json']).json();
    expect(j.estimator).toBe('RandomForestClassifier');
    expect(j.task).toBe('classifier');
    expect(j.format).toMatchObject({ container: 'pickle', compression: 'none', protocol: 5 });
    expect(j.n_features).toBe(6);
    expect(j.classes).toEqual([0, 1]);
    expect(j.sklearn_version).toBe('1.2.1');
    expect(j.safety.safe).toBe(true);
    const z = ramp(['inspect', M('gbr.zlib.joblib'), '--json']).json();
    expect(z.format).toMatchObject({ container: 'joblib', compression: 'zlib' });
    expect(z.task).toBe('regressor');
    expect(ramp(['inspect', M('dtc_node13.p4.pkl'), '--json']).json().sklearn_version).toBe('1.3.2');
  });
  it('unsupported compression exits 4; an estimator ramp cannot run exits 5, "not supported yet", never unsafe', () => {
    for (const f of ['unsupported.bz2.joblib', 'unsupported.xz.joblib', 'unsupported.lzma.joblib']) {
      const r = ramp(['inspect', M(f)]);
      expect(r.status).toBe(4);
      expect(r.stderr).toMatch(/unsupported compression/);
    }
    const dir = mkdtempSync(join(tmpdir(), 'ramp-'));
    const sbu = (s: string): number[] => [0x8c, s.length, ...Buffer.from(s)];
    writeFileSync(join(dir, 'mlp.pkl'), Uint8Array.from([0x80, 4, ...sbu('sklearn.neural_network._multilayer_perceptron'), ...sbu('MLPClassifier'), 0x93, 0x29, 0x81, 0x7d, 0x62, 0x2e]));
    const r = ramp(['inspect', join(dir, 'mlp.pkl')]);
    expect(r.status).toBe(5);
    expect(r.stdout).toMatch(/Supported\s+not yet — MLPClassifier: LogisticRegression or HistGradientBoostingClassifier are supported/);
    const scan = ramp(['scan', join(dir, 'mlp.pkl')]);
    expect(scan.status).toBe(5);
    expect(scan.stdout).toMatch(/not supported yet: 1 step/);
    expect(scan.stdout).not.toMatch(/unsafe/);
    const p = ramp(['predict', join(dir, 'mlp.pkl'), '--input', M('../models/dtc.json')]);
    expect(p.status).toBe(5);
    expect(p.stderr).toMatch(/not supported yet: MLPClassifier/);
  });
});

describe('ramp scan', () => {
  it('safe files exit 0', () => {
    const r = ramp(['scan', M('gbc_multi.gz.joblib'), '--json']);
    expect(r.status).toBe(0);
    const j = r.json();
    expect(j.safe).toBe(true);
    expect(j.findings).toEqual([]);
    expect(j.globals).toContain('sklearn.ensemble._gb.GradientBoostingClassifier');
  });
});

describe('ramp predict', () => {
  const exp = expected('logreg_multinomial');
  it('{"instances"} JSON with --proba --json', () => {
    const r = ramp(['predict', M('logreg_multinomial.p4.pkl'), '--input', '-', '--proba', '--json'], { input: JSON.stringify({ instances: exp.inputs }) });
    expect(r.status).toBe(0);
    const j = r.json();
    expect(j.predictions).toEqual(exp.predictions);
    expectClose(j.probabilities, exp.probabilities);
  });
  it('V2 request and CSV (columns matched by feature name, in any order)', () => {
    const v2 = { inputs: [{ name: 'x', shape: [exp.inputs.length, 4], datatype: 'FP64', data: exp.inputs.flat() }] };
    expect(ramp(['predict', M('logreg_multinomial.joblib'), '--input', '-', '--json'], { input: JSON.stringify(v2) }).json().predictions).toEqual(exp.predictions);
    const names = exp.feature_names!;
    const order = [2, 0, 3, 1];
    const csv = `${order.map((i) => names[i]).join(',')},extra\n${(exp.inputs as number[][]).map((r) => `${order.map((i) => r[i]).join(',')},x`).join('\n')}\n`;
    expect(ramp(['predict', M('logreg_multinomial.joblib'), '--input', '-', '--json'], { input: csv }).json().predictions).toEqual(exp.predictions);
  });
  it('CSV by position when the model has no feature names; file input; human table', () => {
    const e = expected('gbc_binary');
    const dir = mkdtempSync(join(tmpdir(), 'ramp-'));
    const f = join(dir, 'rows.csv');
    writeFileSync(f, `a,b,c,d,e,f\n${(e.inputs as number[][]).map((r) => r.join(',')).join('\n')}\n`);
    const r = ramp(['predict', M('gbc_binary.p3.pkl'), '--input', f, '--json']);
    expect(r.json().predictions).toEqual(e.predictions);
    expect(r.json().predictions.every((p: unknown) => Number.isInteger(p))).toBe(true);
    const h = ramp(['predict', M('gbc_binary.p3.pkl'), '--input', f, '--proba']);
    expect(h.status).toBe(0);
    expect(h.stdout.split('\n')[0]).toMatch(/^row\s+prediction\s+P\(0\)\s+P\(1\)/);
    expect(h.stdout.trim().split('\n')).toHaveLength(e.inputs.length + 1);
  });
  it('regressors: values; --proba is a usage error (exit 2)', () => {
    const e = expected('gbr');
    const r = ramp(['predict', M('gbr.gz.joblib'), '--input', '-', '--json'], { input: JSON.stringify({ instances: e.inputs }) });
    expectClose(r.json().predictions, e.predictions);
    const p = ramp(['predict', M('gbr.gz.joblib'), '--input', '-', '--proba'], { input: '[[1,2,3,4,5]]' });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/--proba needs a classifier/);
  });
  it('bad input exits 1 naming the problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"instances": [[1,2,3]]}', /row 0 has 3 features, the model expects 4/],
      ['{"instances": [[1,2,3,"x"]]}', /expected a number/],
      ['{nope', /not valid JSON/],
      ['{"foo": 1}', /neither "instances" nor "inputs"/],
      ['a,b\n1,2\n', /no column "sepal_length"/],
    ];
    for (const [input, re] of cases) {
      const r = ramp(['predict', M('dtc.p4.pkl'), '--input', '-'], { input });
      expect(r.status, input).toBe(1);
      expect(r.stderr).toMatch(re);
    }
  });
});

describe('ramp init', () => {
  it('scaffolds model-endpoint, refuses non-empty dirs, lists templates for unknown ones', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ramp-')), 'ep');
    const r = ramp(['init', 'model-endpoint', dir, '--model', M('pipe_std_logreg.p4.pkl'), '--name', 'iris']);
    expect(r.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'ramp.yaml', 'request.json']);
    const yaml = readFileSync(join(dir, 'ramp.yaml'), 'utf8');
    expect(yaml).toMatch(/name: iris/);
    expect(yaml).toMatch(/n_features: 4/);
    expect(yaml).toMatch(/sepal_length/);
    const req = JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8'));
    expect(req.inputs[0].shape).toEqual([1, 4]);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/ramp scan pipe_std_logreg\.p4\.pkl/);
    // the scaffolded request works
    expect(ramp(['predict', M('pipe_std_logreg.p4.pkl'), '--input', join(dir, 'request.json'), '--json']).status).toBe(0);
    const again = ramp(['init', 'model-endpoint', dir]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/not empty/);
    const unknown = ramp(['init', 'nope', join(dir, 'x')]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Templates: model-endpoint/);
  });
});

describe('the single bundled file works alone (as in a lab)', () => {
  it('builds with esbuild and runs from an empty directory with embedded templates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ramp-bundle-'));
    const out = join(dir, 'ramp.mjs');
    await buildRamp({ outfile: out });
    const lab = mkdtempSync(join(tmpdir(), 'ramp-lab-'));
    copyFileSync(out, join(lab, 'ramp.mjs'));
    copyFileSync(M('rfc.zlib.joblib'), join(lab, 'model.joblib'));
    mkdirSync(join(lab, 'work'));
    const run = (args: string[]) => spawnSync(process.execPath, [join(lab, 'ramp.mjs'), ...args], { cwd: lab, encoding: 'utf8' });
    expect(readFileSync(out, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(run(['inspect', 'model.joblib']).stdout).toMatch(/RandomForestClassifier/);
    const init = run(['init', 'model-endpoint', 'ep']);
    expect(init.status).toBe(0);
    expect(readdirSync(join(lab, 'ep')).sort()).toEqual(['README.md', 'ramp.yaml', 'request.json']);
  });
});
