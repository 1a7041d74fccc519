// Linear classifiers: decision_function on the fixtures; predict_proba only where sklearn has it.
import { describe, expect, it } from 'vitest';
import { expectDecisions, fixtureModel } from './fixture-model.ts';

describe('decision_function', () => {
  it.each(['sgd_hinge', 'sgd_log_multi', 'sgd_log_binary', 'sgd_mhuber_binary', 'sgd_mhuber_multi', 'sgd_mhuber_allneg',
    'sgd_avg_squared_hinge', 'perceptron', 'perceptron_binary', 'passive_aggressive', 'ridge_clf_binary', 'ridge_clf_multi',
    'ridge_clf_cv', 'linsvc_binary', 'linsvc_multi'])('%s', (base) => expectDecisions(base));
});

describe('predict_proba', () => {
  it('exists for log_loss and modified_huber only', () => {
    for (const b of ['sgd_log_multi', 'sgd_mhuber_binary', 'logreg_cv']) expect(fixtureModel(b).model.hasProba, b).not.toBe(false);
    for (const b of ['sgd_hinge', 'perceptron', 'passive_aggressive', 'ridge_clf_multi', 'linsvc_multi']) expect(fixtureModel(b).model.hasProba, b).toBe(false);
  });
  it('modified_huber: when every class score is <= -1 the probabilities are uniform', () => {
    const { model, exp, rows } = fixtureModel('sgd_mhuber_allneg');
    const out = new Float64Array(3);
    let uniform = 0;
    rows.forEach((r, i) => {
      model.proba(r, out);
      if ((exp.decision as number[][])[i]!.every((s) => s <= -1)) {
        expect(Array.from(out)).toEqual([1 / 3, 1 / 3, 1 / 3]);
        uniform++;
      }
    });
    expect(uniform).toBeGreaterThan(0);
  });
});
