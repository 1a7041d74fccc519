// Loading a fixture model for the family tests, and checking sklearn's decision_function on it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel, type Model } from '../../../labs/ramp/src/estimators/index.ts';
import { loadPickleBytes } from '../../../labs/ramp/src/load.ts';
import { cellsOf, expectClose, expected, MODELS, type Expected } from './helpers.ts';

export type WithDecision = Model & { decision?: (x: Float64Array, out: Float64Array) => void; nDecision?: number };

export function fixtureModel(base: string, file = `${base}.p5.pkl`): { model: WithDecision; exp: Expected & { decision?: unknown[] }; rows: Float64Array[] } {
  const exp = expected(base) as Expected & { decision?: unknown[] };
  const model = buildModel(loadPickleBytes(readFileSync(join(MODELS, file)), 'load').result.value) as WithDecision;
  const rows = exp.inputs.map((r) => Float64Array.from(cellsOf(r, model) as number[]));
  return { model, exp, rows };
}

/** decision_function on every fixture row matches what scikit-learn recorded. */
export function expectDecisions(base: string): void {
  const { model, exp, rows } = fixtureModel(base);
  if (!exp.decision) throw new Error(`${base}.json has no decision`);
  if (!model.decision || !model.nDecision) throw new Error(`${base}: the model has no decision function`);
  const out = new Float64Array(model.nDecision);
  const got = rows.map((r) => {
    model.decision!(r, out);
    return model.nDecision === 1 ? out[0]! : Array.from(out);
  });
  expectClose(got, exp.decision);
}
