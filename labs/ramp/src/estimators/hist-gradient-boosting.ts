// HistGradientBoostingClassifier / HistGradientBoostingRegressor, as scikit-learn 1.2 predicts:
// raw (unbinned) float64 features walk each TreePredictor (`_predictor.pyx`
// _predict_one_from_raw_data): NaN follows missing_go_to_left, numeric splits go left when
// x <= num_threshold, categorical splits test the raw category against the node's bitset and the
// feature's known categories (unknown or negative categories count as missing). The sum over
// iterations starts from `_baseline_prediction`; the loss's link turns it into predictions.
import { NdArray } from '../numpy.ts';
import { PyObject } from '../unpickler.ts';
import { expit, softmax } from './math.ts';
import type { Registry } from './registry.ts';
import { arr, bad, field, int, labelsOf, nFeaturesOf, unsupported } from './state.ts';
import { noProba, noValues, type Base } from './types.ts';

/** Cython's `<unsigned char>` of a non-negative double, as x86-64 builds compute it (cvttsd2si, low byte). */
export function toUint8(v: number): number {
  const t = Math.trunc(v);
  if (!(t >= -2147483648 && t <= 2147483647)) return 0;
  return t & 255;
}

/** in_bitset_2d_memoryview: bit `v` of row `row` of an (n, 8) uint32 bitset array. */
function inBitset(bits: Uint32Array, row: number, v: number): boolean {
  return ((bits[row * 8 + (v >>> 5)]! >>> (v & 31)) & 1) === 1;
}

export class HgbTree {
  readonly value: Float64Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly missingLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly isLeaf: Uint8Array;
  readonly isCat: Uint8Array;
  readonly bitsetIdx: Int32Array;
  readonly leftCats: Uint32Array;

  constructor(p: PyObject, nFeatures: number, isCategorical: Uint8Array) {
    const nodes = field(p, 'nodes');
    if (!(nodes instanceof NdArray) || nodes.isPending || !nodes.dtype.fields) bad('TreePredictor.nodes is not a structured array');
    const n = nodes.size;
    if (n === 0) bad('TreePredictor has no nodes');
    this.value = nodes.field('value');
    this.threshold = nodes.field('num_threshold');
    this.feature = nodes.fieldInto('feature_idx', new Int32Array(n));
    this.missingLeft = nodes.fieldInto('missing_go_to_left', new Uint8Array(n));
    this.left = nodes.fieldInto('left', new Int32Array(n));
    this.right = nodes.fieldInto('right', new Int32Array(n));
    this.isLeaf = nodes.fieldInto('is_leaf', new Uint8Array(n));
    this.isCat = nodes.hasField('is_categorical') ? nodes.fieldInto('is_categorical', new Uint8Array(n)) : new Uint8Array(n);
    this.bitsetIdx = nodes.hasField('bitset_idx') ? nodes.fieldInto('bitset_idx', new Int32Array(n)) : new Int32Array(n);
    const raw = p.state.get('raw_left_cat_bitsets');
    this.leftCats = raw instanceof NdArray && !raw.isPending && raw.size > 0 ? Uint32Array.from(raw.numbers()) : new Uint32Array(0);
    const nBitsets = this.leftCats.length / 8;
    for (let i = 0; i < n; i++) {
      if (this.isLeaf[i]) continue;
      const l = this.left[i]!;
      const r = this.right[i]!;
      const f = this.feature[i]!;
      // children come after their parent (the grower writes nodes depth-first): traversal ends
      if (!(l > i && l < n && r > i && r < n)) bad(`TreePredictor node ${i} has invalid children ${l}, ${r}`);
      if (!(f >= 0 && f < nFeatures)) bad(`TreePredictor node ${i} splits on feature ${f}, model has ${nFeatures}`);
      if (this.isCat[i] && !(isCategorical[f] && this.bitsetIdx[i]! < nBitsets)) bad(`TreePredictor node ${i} is a categorical split on a feature with no categories`);
    }
  }

  /** known: the (nCategorical, 8) bitsets of known categories; fIdx maps a feature to its row. */
  predict(x: Float64Array, known: Uint32Array, fIdx: Int32Array): number {
    let node = 0;
    while (!this.isLeaf[node]) {
      const v = x[this.feature[node]!]!;
      const missing = this.missingLeft[node] ? this.left[node]! : this.right[node]!;
      if (v !== v) node = missing;
      else if (this.isCat[node]) {
        if (v < 0) node = missing;
        else {
          const c = toUint8(v);
          if (inBitset(this.leftCats, this.bitsetIdx[node]!, c)) node = this.left[node]!;
          else if (inBitset(known, fIdx[this.feature[node]!]!, c)) node = this.right[node]!;
          else node = missing;
        }
      } else node = v <= this.threshold[node]! ? this.left[node]! : this.right[node]!;
    }
    return this.value[node]!;
  }
}

/** _BinMapper.make_known_categories_bitsets: one bitset row per categorical feature. */
function knownCategories(o: PyObject, nFeatures: number): { isCat: Uint8Array; known: Uint32Array; fIdx: Int32Array } {
  const isCat = new Uint8Array(nFeatures);
  const ic = o.state.get('is_categorical_');
  if (ic instanceof NdArray && !ic.isPending) {
    const v = ic.numbers();
    if (v.length !== nFeatures) bad(`${o.cls}.is_categorical_ has ${v.length} entries for ${nFeatures} features`);
    v.forEach((b, j) => { isCat[j] = b ? 1 : 0; });
  } else if (ic !== null && ic !== undefined) bad(`${o.cls}.is_categorical_ is not an array`);
  const fIdx = new Int32Array(nFeatures);
  let nCat = 0;
  for (let j = 0; j < nFeatures; j++) if (isCat[j]) fIdx[j] = nCat++;
  const known = new Uint32Array(nCat * 8);
  if (nCat === 0) return { isCat, known, fIdx };
  const mapper = field(o, '_bin_mapper');
  if (!(mapper instanceof PyObject)) bad(`${o.cls}._bin_mapper is not a _BinMapper`);
  const thresholds = field(mapper, 'bin_thresholds_');
  if (!Array.isArray(thresholds) || thresholds.length !== nFeatures) bad('_BinMapper.bin_thresholds_ does not match the features');
  for (let j = 0; j < nFeatures; j++) {
    if (!isCat[j]) continue;
    const cats = thresholds[j];
    if (!(cats instanceof NdArray) || cats.isPending) bad(`_BinMapper.bin_thresholds_[${j}] is not an array`);
    for (const c of cats.numbers()) {
      const b = toUint8(c);
      known[fIdx[j]! * 8 + (b >>> 5)]! |= 1 << (b & 31);
    }
  }
  return { isCat, known, fIdx };
}

interface Raw {
  nFeatures: number;
  K: number;
  raw: (x: Float64Array) => Float64Array;
}

function rawPredictor(o: PyObject): Raw {
  const nFeatures = nFeaturesOf(o, o.state.has('_n_features') ? int(o.state.get('_n_features'), `${o.cls}._n_features`) : undefined);
  const baseline = arr(o, '_baseline_prediction').numbers();
  const K = baseline.length;
  const { isCat, known, fIdx } = knownCategories(o, nFeatures);
  const its = field(o, '_predictors');
  if (!Array.isArray(its)) bad(`${o.cls}._predictors is not a list`);
  const trees: HgbTree[] = [];
  for (const it of its) {
    if (!Array.isArray(it) || it.length !== K) bad(`${o.cls}._predictors: an iteration does not hold ${K} trees`);
    for (const p of it) {
      if (!(p instanceof PyObject) || p.cls !== 'TreePredictor') bad(`${o.cls}._predictors holds something that is not a TreePredictor`);
      trees.push(new HgbTree(p, nFeatures, isCat));
    }
  }
  const out = new Float64Array(K);
  const nIt = its.length;
  return {
    nFeatures, K,
    raw: (x) => {
      out.set(baseline);
      for (let i = 0; i < nIt; i++) {
        for (let k = 0; k < K; k++) out[k] = out[k]! + trees[i * K + k]!.predict(x, known, fIdx);
      }
      return out;
    },
  };
}

function linkOf(o: PyObject): string {
  const loss = field(o, '_loss');
  if (!(loss instanceof PyObject)) bad(`${o.cls}._loss is not a loss object`);
  const link = field(loss, 'link');
  if (!(link instanceof PyObject)) bad(`${o.cls}._loss.link is not a link object`);
  return link.cls;
}

function hgbClassifier(o: PyObject): Base {
  const { nFeatures, K, raw } = rawPredictor(o);
  const { classes, labelType } = labelsOf(arr(o, 'classes_'));
  const link = linkOf(o);
  if (K === 1 ? link !== 'LogitLink' || classes.length !== 2 : link !== 'MultinomialLogit' || classes.length !== K) {
    return unsupported(`${o.cls} with ${link} for ${classes.length} classes and ${K} trees per iteration`);
  }
  const proba = (x: Float64Array, out: Float64Array): void => {
    const r = raw(x);
    if (K === 1) {
      out[1] = expit(r[0]!);
      out[0] = 1 - out[1]!;
    } else {
      out.set(r);
      softmax(out);
    }
  };
  const scratch = new Float64Array(classes.length);
  return {
    task: 'classifier', nFeatures, classes, labelType, nOutputs: 1, scalarOutput: true, proba,
    // predict is argmax(predict_proba): first maximum wins
    predictIndex: (x) => {
      proba(x, scratch);
      let best = 0;
      for (let c = 1; c < scratch.length; c++) if (scratch[c]! > scratch[best]!) best = c;
      return best;
    },
    predictValues: noValues,
    decision: (x, out) => out.set(raw(x)),
    nDecision: K,
  };
}

function hgbRegressor(o: PyObject): Base {
  const { nFeatures, K, raw } = rawPredictor(o);
  if (K !== 1) bad(`${o.cls} has ${K} trees per iteration`);
  const link = linkOf(o);
  let inv: (v: number) => number;
  if (link === 'IdentityLink') inv = (v) => v;
  else if (link === 'LogLink') inv = Math.exp;
  else return unsupported(`${o.cls} with ${link}`);
  return {
    task: 'regressor', nFeatures, classes: null, labelType: null, nOutputs: 1, scalarOutput: true,
    proba: noProba, predictIndex: noProba,
    predictValues: (x, out) => { out[0] = inv(raw(x)[0]!); },
  };
}

export function register(r: Registry): void {
  r.final('HistGradientBoostingClassifier', hgbClassifier);
  r.final('HistGradientBoostingRegressor', hgbRegressor);
}
