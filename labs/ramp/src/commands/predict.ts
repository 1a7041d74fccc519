// `ramp predict`: offline predictions from JSON or CSV rows.
import { EXIT, RampError, UsageError } from '../errors.ts';
import { predictRows } from '../estimators/index.ts';
import { decodeText, errCode, readText } from '../files.ts';
import { parseInputText, rowsOf } from '../input.ts';
import { keyOf, limitsOf, onePositional, type Parsed } from '../args.ts';
import { labelStr, loadModel } from './model-load.ts';
import { print, printJson, table, type Out } from './output.ts';

/** The text of `--input`: a file, or standard input for `-`. */
export function readInput(o: Out, spec: string): string {
  if (spec === '-') {
    if (!o.io.stdin) throw new RampError('cannot read input -: no standard input here', { code: 'not_found', hint: 'Pass a JSON or CSV file.' });
    return decodeText(o.io.stdin());
  }
  try {
    return readText(o.fs, spec);
  } catch (e) {
    throw new RampError(`cannot read input ${spec}: ${errCode(e)}`, { code: 'not_found', hint: 'Pass a JSON or CSV file, or - for stdin.' });
  }
}

export function cmdPredict(p: Parsed, o: Out): number {
  const file = onePositional(p, 'model file');
  const input = p.flags.get('--input');
  if (typeof input !== 'string') throw new UsageError('missing --input <file|->', 'Example: ramp predict model.joblib --input rows.json');
  const wantProba = p.flags.has('--proba');
  const { model } = loadModel(o.fs, file, limitsOf(p), keyOf(p));
  if (wantProba && model.task !== 'classifier') {
    throw new UsageError(`--proba needs a classifier; ${model.estimator} is a ${model.task}`, 'Drop --proba for this model.');
  }
  if (wantProba && model.hasProba === false) {
    throw new UsageError(`--proba: ${model.estimator} has no predict_proba in scikit-learn either`, 'Drop --proba; the prediction is the class.');
  }
  const rows = parseInputText(readInput(o, input), model);
  const res = predictRows(model, rowsOf(rows, model.nFeatures), wantProba);
  if (o.json) {
    printJson(o, res);
    return EXIT.OK;
  }
  const header = ['row', model.task === 'transformer' ? 'transform' : 'prediction'];
  if (wantProba) for (const c of model.classes!) header.push(`P(${labelStr(c)})`);
  const body = res.predictions.map((pr, i) => {
    const r = [String(i), Array.isArray(pr) ? pr.map(fmtNum).join(', ') : typeof pr === 'number' ? (model.task === 'classifier' ? String(pr) : fmtNum(pr)) : labelStr(pr)];
    if (wantProba) for (const v of res.probabilities![i]!) r.push(v.toFixed(4));
    return r;
  });
  print(o, table([header, ...body], o));
  return EXIT.OK;
}

function fmtNum(v: number): string {
  return Number.isInteger(v) ? String(v) : Number(v.toPrecision(10)).toString();
}
