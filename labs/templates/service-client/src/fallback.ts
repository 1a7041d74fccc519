// The answer your service gives when the model cannot: after the budget, when the breaker is open,
// or when the model fails. The client marks it `degraded: true` with the reason, and counts it.
//
// It is a product decision, not an engineering one. Write down here who chose it and when:
//   chosen by: <product owner>, on <date>
// DEFAULT_PREDICTION (src/model.ts) is the model's first class with no probabilities; a rule on
// the row's own fields, or the last answer cached for the same entity, are common alternatives.
import { DEFAULT_PREDICTION, type Prediction, type Row } from './model.ts';

export function fallback(_row: Row): Prediction {
  return { ...DEFAULT_PREDICTION };
}
