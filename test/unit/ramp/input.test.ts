import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadPickleFile } from '../../../labs/ramp/src/load.ts';
import { nodeFs } from '../../../labs/ramp/src/node-host.ts';
import { buildModel, predictRows } from '../../../labs/ramp/src/estimators/index.ts';
import { parseCsv, parseInputText, parseV2, rowsOf } from '../../../labs/ramp/src/input.ts';
import { MODELS } from './helpers.ts';

const model = (file: string) => buildModel(loadPickleFile(nodeFs, join(MODELS, file), 'load').result.value);
const pipe = model('pipe_std_logreg.p4.pkl');
const forest = model('rfc.p4.pkl');
const header = 'sepal_length,sepal_width,petal_length,petal_width';

describe('prediction inputs are finite numbers, as scikit-learn requires', () => {
  it.each([
    ['an overflowing literal', '{"instances":[[1e400,3.5,1.4,0.2]]}', /row 0, "sepal_length" is infinite/],
    ['1e999 in CSV', `${header}\n5.1,3.5,1e999,0.2\n`, /row 0, "petal_length" is infinite/],
    ['hex in CSV', `${header}\n5.1,3.5,1.4,0x10\n`, /column "petal_width" is not a number: "0x10"/],
    ['Infinity in CSV', `${header}\n5.1,3.5,Infinity,0.2\n`, /column "petal_length" is not a number/],
  ])('refuses %s, naming row and feature', (_what, text, message) => {
    expect(() => parseInputText(text, pipe)).toThrow(message);
  });

  it.each([
    ['null', '{"instances":[[null,3.5,1.4,0.2]]}', /row 0: "sepal_length" is missing, and LogisticRegression needs a value there/],
    ['a blank CSV cell', `${header}\n5.1,3.5,1.4,0.2\n5.1,3.5,1.4,\n`, /row 1: "petal_width" is missing/],
    ['NaN in CSV', `${header}\n5.1,NaN,1.4,0.2\n`, /row 0: "sepal_width" is missing/],
    ['NA in CSV (as pandas reads it)', `${header}\n5.1,3.5,NA,0.2\n`, /row 0: "petal_length" is missing/],
  ])('reads %s as missing, and a model without an imputer refuses it naming row and column', (_what, text, message) => {
    const rows = parseInputText(text, pipe);
    expect(() => predictRows(pipe, rowsOf(rows, 4), false)).toThrow(message);
  });

  it('refuses values a tree model would overflow in float32', () => {
    expect(() => parseInputText('{"instances":[[1e308,1,1,1]]}', forest)).toThrow(/too large for float32/);
    expect(parseInputText('{"instances":[[1e308,1,1,1]]}', pipe).n).toBe(1); // float64 models take it
  });

  it('range-checks V2 integer datatypes', () => {
    const v2 = (datatype: string, data: number[]) => ({ inputs: [{ name: 'input-0', shape: [1, 4], datatype, data }] });
    expect(() => parseV2(v2('INT8', [500, 3, 1, 0]), pipe)).toThrow(/element 0 is 500, outside the range of INT8 \(-128 to 127\)/);
    expect(() => parseV2(v2('UINT8', [5, -5, 1, 0]), pipe)).toThrow(/element 1 is -5, outside the range of UINT8/);
    expect(parseV2(v2('INT32', [5, 3, 1, 0]), pipe).rows.data).toEqual(new Float64Array([5, 3, 1, 0]));
  });

  it('still reads ordinary decimals, signs and exponents', () => {
    const rows = parseCsv(`${header}\n+5.1,.5,1.4e0,-0.2\n`, pipe);
    expect([...rows.data]).toEqual([5.1, 0.5, 1.4, -0.2]);
  });

  it('says an empty input is empty', () => {
    expect(() => parseInputText('  \n', pipe)).toThrow('the input is empty');
  });
});
