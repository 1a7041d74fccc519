// Every supported estimator, every fixture file (pickle protocols 2-5; joblib raw,
// zlib, gzip), against the predictions scikit-learn produced.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, predictRows, supportedNames } from '../../../labs/ramp/src/estimators/index.ts';
import { structureOf, type StepNode } from '../../../labs/ramp/src/estimators/structure.ts';
import { UnsupportedEstimatorError } from '../../../labs/ramp/src/errors.ts';
import { loadPickleBytes } from '../../../labs/ramp/src/load.ts';
import { cellsOf, expectClose, expected, MODELS, modelFiles } from './helpers.ts';

const files = modelFiles();

describe('fixtures cover every supported estimator and format', () => {
  it('has every class ramp runs, somewhere in a fixture model', () => {
    const seen = new Set<string>();
    const walk = (n: StepNode): void => {
      seen.add(n.cls);
      n.children.forEach(walk);
    };
    for (const base of new Set(files.map((f) => f.base))) {
      const file = files.find((f) => f.base === base)!;
      walk(structureOf(loadPickleBytes(readFileSync(join(MODELS, file.file)), 'load').result.value));
    }
    // XGBoost's fixtures live apart (xgboost.test.ts checks them against xgboost's own margins).
    const xgb = join(MODELS, '..', 'xgboost');
    for (const f of readdirSync(xgb).filter((n) => n.endsWith('.p5.pkl'))) walk(structureOf(loadPickleBytes(readFileSync(join(xgb, f)), 'load').result.value));
    for (const e of supportedNames()) expect(seen.has(e), e).toBe(true);
  });
  it('has every format for each model', () => {
    const bases = new Set(files.map((f) => f.base));
    let full = 0;
    for (const b of bases) {
      const fs = files.filter((f) => f.base === b).map((f) => f.file.slice(b.length));
      if (['.p2.pkl', '.p3.pkl', '.p4.pkl', '.p5.pkl', '.joblib', '.zlib.joblib', '.gz.joblib'].every((s) => fs.includes(s))) full++;
    }
    expect(full).toBeGreaterThanOrEqual(24);
    expect(files.length).toBeGreaterThan(180);
  });
});

describe.each(files)('$file', ({ file, base }) => {
  it('predicts what scikit-learn predicted', () => {
    const exp = expected(base);
    const { result, format } = loadPickleBytes(readFileSync(join(MODELS, file)), 'load');
    const model = buildModel(result.value);
    expect(model.estimator).toBe(exp.estimator);
    expect(model.nFeatures).toBe(exp.n_features);
    expect(model.sklearnVersion).toBe(exp.sklearn_version);
    if (file.endsWith('.joblib')) expect(format.container).toBe('joblib');
    if (file.includes('.zlib.')) expect(format.compression).toBe('zlib');
    if (file.includes('.gz.')) expect(format.compression).toBe('gzip');
    const m = /\.p(\d)\.pkl$/.exec(file);
    if (m) expect(format.protocol).toBe(Number(m[1]));
    if (exp.classes) expect(model.classes).toStrictEqual(exp.classes);
    // Where sklearn does not expose names (a FeatureUnion first), ramp may still find them inside.
    if (exp.feature_names) expect(model.featureNames).toStrictEqual(exp.feature_names);
    const rows = exp.inputs.map((r) => cellsOf(r, model));
    const out = predictRows(model, rows, model.task === 'classifier' && model.hasProba !== false && exp.probabilities !== undefined);
    if (exp.predictions) {
      expectClose(out.predictions, exp.predictions);
      // labels keep their type
      if (exp.classes) for (let i = 0; i < exp.predictions.length; i++) expect(typeof out.predictions[i]).toBe(typeof exp.predictions[i]);
    } else {
      expectClose(out.predictions, exp.transform);
    }
    if (exp.probabilities) expectClose(out.probabilities, exp.probabilities);
  });
});

describe('unsupported estimators', () => {
  it('a safe file with an estimator ramp cannot run is "not supported yet", with advice, never unsafe', () => {
    // NEWOBJ of an sklearn class ramp has no code for, + BUILD dict
    const sbu = (s: string): number[] => [0x8c, s.length, ...Buffer.from(s)];
    const bytes = Uint8Array.from([0x80, 4, ...sbu('sklearn.neural_network._multilayer_perceptron'), ...sbu('MLPClassifier'), 0x93, 0x29, 0x81, 0x7d, ...sbu('alpha'), 0x47, 63, 240, 0, 0, 0, 0, 0, 0, 0x73, 0x62, 0x2e]);
    const { result } = loadPickleBytes(bytes, 'load');
    let err: unknown;
    try { buildModel(result.value); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(UnsupportedEstimatorError);
    expect((err as Error).message).toBe('not supported yet: MLPClassifier');
    expect((err as UnsupportedEstimatorError).hint).toContain('LogisticRegression or HistGradientBoostingClassifier are supported');
    expect((err as UnsupportedEstimatorError).exitCode).toBe(5);
    // and scan finds nothing unsafe in it
    expect(loadPickleBytes(bytes, 'scan').result.findings).toEqual([]);
  });
});
