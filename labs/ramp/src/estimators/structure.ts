// What is inside a model, whether or not ramp can run it: the tree of steps (a Pipeline's steps,
// a ColumnTransformer's parts, a meta-estimator's children), each marked supported or not. `inspect`
// shows it and `scan` lists every step ramp cannot run yet, never only the first.
import { UsageError } from '../errors.ts';
import { PyObject } from '../unpickler.ts';
import { isSupported, supportedNames } from './registry.ts';

export interface StepNode {
  /** Path from the root, e.g. "preprocess › cat › OneHotEncoder". */
  path: string;
  cls: string;
  supported: boolean;
  children: StepNode[];
}

const named = (list: unknown): Array<[string, unknown]> =>
  Array.isArray(list) ? list.filter((e): e is [string, unknown] => Array.isArray(e) && e.length >= 2 && typeof e[0] === 'string') : [];

/** A composite's children as (name, estimator), from its fitted attributes where it has them. */
function childrenOf(o: PyObject): Array<[string, unknown]> {
  const s = o.state;
  switch (o.cls) {
    case 'Pipeline':
      return named(s.get('steps'));
    case 'ColumnTransformer':
      return named(s.get('transformers_') ?? s.get('transformers')).map(([n, t]) => [n, t]);
    case 'FeatureUnion':
      return named(s.get('transformer_list'));
    case 'VotingClassifier':
    case 'VotingRegressor':
    case 'StackingClassifier':
    case 'StackingRegressor': {
      const names = named(s.get('estimators')).filter(([, e]) => e !== 'drop').map(([n]) => n);
      const fitted = s.get('estimators_');
      const list: Array<[string, unknown]> = Array.isArray(fitted) ? fitted.map((e, i) => [names[i] ?? `estimators_[${i}]`, e]) : named(s.get('estimators'));
      const fin = s.get('final_estimator_');
      return fin instanceof PyObject ? [...list, ['final_estimator', fin]] : list;
    }
    case 'GridSearchCV':
    case 'RandomizedSearchCV':
    case 'HalvingGridSearchCV':
    case 'HalvingRandomSearchCV':
      return s.get('best_estimator_') instanceof PyObject ? [['best_estimator_', s.get('best_estimator_')]] : [];
    case 'TransformedTargetRegressor':
      return [['regressor', s.get('regressor_')], ['transformer', s.get('transformer_')]].filter(([, v]) => v instanceof PyObject) as Array<[string, unknown]>;
    case 'CalibratedClassifierCV': {
      const cc = s.get('calibrated_classifiers_');
      const first = Array.isArray(cc) ? cc[0] : undefined;
      const est = first instanceof PyObject ? first.state.get('estimator') ?? first.state.get('base_estimator') : undefined;
      return est instanceof PyObject ? [['estimator', est]] : [];
    }
    case 'BaggingClassifier':
    case 'BaggingRegressor':
    case 'AdaBoostClassifier':
    case 'AdaBoostRegressor': {
      const list = s.get('estimators_');
      return Array.isArray(list) && list[0] instanceof PyObject ? [['estimators_', list[0]]] : [];
    }
    case 'GradientBoostingClassifier':
    case 'GradientBoostingRegressor':
      return s.get('init_') instanceof PyObject ? [['init', s.get('init_')]] : [];
    default:
      return [];
  }
}

export function structureOf(value: unknown, path = ''): StepNode {
  if (!(value instanceof PyObject)) {
    const what = value === 'passthrough' || value === 'drop' ? value : describe(value);
    return { path: path ? `${path} › ${what}` : what, cls: what, supported: value === 'passthrough' || value === 'drop', children: [] };
  }
  const here = path ? `${path} › ${value.cls}` : value.cls;
  const children = childrenOf(value).map(([name, child]) => structureOf(child, path ? `${path} › ${name}` : name));
  return { path: here, cls: value.cls, supported: value.cls === 'Pipeline' || isSupported(value.cls), children };
}

/** Every step ramp cannot run, depth first. */
export function unsupportedSteps(node: StepNode): StepNode[] {
  return [...(node.supported ? [] : [node]), ...node.children.flatMap(unsupportedSteps)];
}

/** A supported alternative for a step, or who can add it. */
export function adviceFor(cls: string): string {
  const alternatives: Record<string, string> = {
    TargetEncoder: 'OneHotEncoder or OrdinalEncoder',
    KNNImputer: 'SimpleImputer',
    IterativeImputer: 'SimpleImputer',
    QuantileTransformer: 'StandardScaler or RobustScaler',
    PowerTransformer: 'StandardScaler',
    SplineTransformer: 'PolynomialFeatures',
    MLPClassifier: 'LogisticRegression or HistGradientBoostingClassifier',
    MLPRegressor: 'Ridge or HistGradientBoostingRegressor',
  };
  const alt = alternatives[cls];
  return alt ? `${alt} ${alt.includes(' or ') ? 'are' : 'is'} supported; or ask your platform team to add ${cls} to ramp.` : `Ask your platform team to add ${cls} to ramp (labs/ramp/src/estimators).`;
}

export function describe(v: unknown): string {
  if (v instanceof PyObject) return v.cls;
  if (v === null) return 'None';
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'tuple' : 'list';
  if (v instanceof Map) return 'dict';
  return typeof v;
}

/** Keys of a "bundle" (a dict or tuple holding the model and more), or null for a plain model. */
export function bundleKeys(value: unknown): string[] | null {
  if (value instanceof Map && !(value instanceof PyObject)) return [...value.keys()].map(String);
  if (Array.isArray(value)) return value.map((_, i) => String(i));
  return null;
}

/** The estimator inside a bundle: `--key` names it, else the single estimator the bundle holds. */
export function pickModel(value: unknown, key: string | undefined): unknown {
  const keys = bundleKeys(value);
  if (!keys) {
    if (key !== undefined) throw new UsageError(`--key ${key}: the file holds a single ${describe(value)}, not a dict or tuple`, 'Drop --key.');
    return value;
  }
  const get = (k: string): unknown => (value instanceof Map ? value.get(k) : (value as unknown[])[Number(k)]);
  const listing = keys.map((k) => `${k} (${describe(get(k))})`).join(', ');
  if (key !== undefined) {
    if (!keys.includes(key)) throw new UsageError(`the file has no key "${key}"; it holds ${listing}`, 'Pick one of those keys with --key.');
    return get(key);
  }
  const estimators = keys.filter((k) => get(k) instanceof PyObject);
  if (estimators.length === 1) return get(estimators[0]!);
  const hint = estimators.length > 1
    ? `Pick the model with --key NAME, e.g. --key ${estimators[0]}; if the estimators are the steps of one model, save them as one Pipeline.`
    : 'It holds no estimator: save the fitted model itself (joblib.dump(model, "model.joblib")).';
  throw new UsageError(`the file holds a ${value instanceof Map ? 'dict' : 'tuple'} (a bundle), not a single model: ${listing}`, hint);
}

export { supportedNames };
