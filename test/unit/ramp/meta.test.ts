// Search objects without a model to serve say so plainly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../labs/ramp/src/estimators/index.ts';
import { UnsupportedEstimatorError } from '../../../labs/ramp/src/errors.ts';
import { loadPickleBytes } from '../../../labs/ramp/src/load.ts';
import { MODELS } from './helpers.ts';

describe('GridSearchCV', () => {
  it('refit=False: not supported, with why and what to do', () => {
    const { result } = loadPickleBytes(readFileSync(join(MODELS, 'unsupported_grid_norefit.p4.pkl')), 'load');
    let err: unknown;
    try { buildModel(result.value); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(UnsupportedEstimatorError);
    expect((err as Error).message).toBe('not supported: GridSearchCV was fitted with refit=False, so it holds no best_estimator_ to predict with');
    expect((err as UnsupportedEstimatorError).hint).toContain('best_estimator_');
  });
});
