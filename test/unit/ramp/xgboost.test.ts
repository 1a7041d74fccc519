// XGBoost 1.7 boosters read from their own serialised model (UBJSON, as pickled in Booster.handle),
// bit for bit against xgboost's predictions (float32 arithmetic throughout).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MalformedPickleError } from '../../../labs/ramp/src/errors.ts';
import { buildModel, predictRows } from '../../../labs/ramp/src/estimators/index.ts';
import { loadPickleBytes } from '../../../labs/ramp/src/load.ts';
import { boosterFromUbjson, xgbClassifier, xgbRegressor } from '../../../labs/ramp/src/estimators/xgboost.ts';
import { parseUbjson } from '../../../labs/ramp/src/ubjson.ts';
import { ROOT } from './helpers.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'xgboost');

interface XgbExpected {
  inputs: Array<Array<number | null>>;
  predictions: number[];
  probabilities?: number[][];
  classes?: number[];
  margin: Array<number | number[]>;
}

describe.each(['xgb_binary', 'xgb_binary_deep', 'xgb_multi', 'xgb_regressor', 'xgb_poisson'])('%s', (name) => {
  it('margins, probabilities and predictions equal xgboost exactly', () => {
    const exp = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as XgbExpected;
    const b = boosterFromUbjson(readFileSync(join(DIR, `${name}.ubj`)));
    const model = exp.classes ? xgbClassifier(b, exp.classes, 'int') : xgbRegressor(b);
    const m = new Float64Array(b.nGroups);
    const p = new Float64Array(exp.classes?.length ?? 1);
    exp.inputs.forEach((row, i) => {
      const x = Float64Array.from(row.map((v) => v ?? NaN));
      b.margin(x, m);
      expect(b.nGroups === 1 ? m[0] : Array.from(m)).toEqual(exp.margin[i]);
      if (exp.classes) {
        model.proba(x, p);
        expect(Array.from(p)).toEqual(exp.probabilities![i]);
        expect(exp.classes[model.predictIndex(x)]).toBe(exp.predictions[i]);
      } else {
        model.predictValues(x, p);
        expect(p[0]).toBe(exp.predictions[i]);
      }
    });
  });
});

describe('UBJSON', () => {
  const enc = (s: string): number[] => [...Buffer.from(s)];
  it('reads objects, strings, numbers and typed arrays (big-endian)', () => {
    const bytes = Uint8Array.from([
      ...enc('{'), ...enc('i'), 1, ...enc('a'), ...enc('['), ...enc('$d#i'), 2, 0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0,
      ...enc('i'), 1, ...enc('b'), ...enc('S'), ...enc('i'), 2, ...enc('hi'),
      ...enc('i'), 1, ...enc('c'), ...enc('['), ...enc('l'), 0xff, 0xff, 0xff, 0xfe, ...enc('T'), ...enc('Z'), ...enc(']'),
      ...enc('}'),
    ]);
    const v = parseUbjson(bytes) as Map<string, unknown>;
    expect(Array.from(v.get('a') as Float32Array)).toEqual([1.5, -2.5]);
    expect(v.get('b')).toBe('hi');
    expect(v.get('c')).toEqual([-2, true, null]);
  });
  it('refuses counts beyond the data, truncation and trailing bytes', () => {
    expect(() => parseUbjson(Uint8Array.from([...enc('[$d#l'), 0x7f, 0xff, 0xff, 0xff]))).toThrow(MalformedPickleError);
    expect(() => parseUbjson(Uint8Array.from([...enc('[#l'), 0x7f, 0xff, 0xff, 0xff]))).toThrow(MalformedPickleError);
    expect(() => parseUbjson(Uint8Array.from(enc('{')))).toThrow(MalformedPickleError);
    expect(() => parseUbjson(Uint8Array.from(enc('TT')))).toThrow(MalformedPickleError);
    expect(() => parseUbjson(Uint8Array.from(enc('['.repeat(100) + ']'.repeat(100))))).toThrow(MalformedPickleError);
  });
});

describe.each(['xgb_binary', 'xgb_multi', 'xgb_regressor'])('%s as a data scientist saves it (pickle, joblib)', (name) => {
  it.each(['p5.pkl', 'joblib'])('%s scans safe and predicts what xgboost predicted', (ext) => {
    const exp = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as XgbExpected;
    const bytes = readFileSync(join(DIR, `${name}.${ext}`));
    expect(loadPickleBytes(bytes, 'scan').result.findings).toEqual([]);
    const model = buildModel(loadPickleBytes(bytes, 'load').result.value);
    const rows = exp.inputs.map((r) => r.map((v) => v ?? NaN));
    expect(predictRows(model, rows, false).predictions).toEqual(exp.predictions);
  });
});
