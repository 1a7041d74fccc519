// Text columns: CountVectorizer and TfidfVectorizer with scikit-learn's default word analyzer
// (lowercase, optional accent stripping, the token pattern \b\w\w+\b, stop words, word n-grams).
import { InputError } from '../errors.ts';
import { NdArray } from '../numpy.ts';
import { PyObject } from '../unpickler.ts';
import { ENGLISH_STOP_WORDS } from './english-stop-words.ts';
import type { Registry } from './registry.ts';
import { bad, num, unsupported } from './state.ts';
import type { Transformer } from './types.ts';

const DEFAULT_PATTERN = '(?u)\\b\\w\\w+\\b';
/** Python's \w in Unicode mode is [\p{L}\p{N}_]; \b\w\w+\b finds every maximal run of two or more. */
const WORDS = /[\p{L}\p{N}_]{2,}/gu;

interface Analyzer {
  (doc: string): string[];
}

function analyzer(o: PyObject, where: string): Analyzer {
  if ((o.state.get('analyzer') ?? 'word') !== 'word') unsupported(`${where}: ${o.cls}(analyzer=${String(o.state.get('analyzer'))})`);
  for (const k of ['preprocessor', 'tokenizer']) if (o.state.get(k) != null) unsupported(`${where}: ${o.cls} with a custom ${k}`);
  const pattern = o.state.get('token_pattern') ?? DEFAULT_PATTERN;
  if (pattern !== DEFAULT_PATTERN && pattern !== '\\b\\w\\w+\\b') unsupported(`${where}: ${o.cls} with a custom token_pattern`);
  const lower = o.state.get('lowercase') !== false;
  const accents = o.state.get('strip_accents') ?? null;
  if (accents !== null && accents !== 'unicode' && accents !== 'ascii') unsupported(`${where}: strip_accents=${String(accents)}`);
  const sw = o.state.get('stop_words') ?? null;
  const stop = sw === 'english' ? ENGLISH_STOP_WORDS : sw === null ? null : new Set(Array.isArray(sw) || sw instanceof Set ? [...sw].map(String) : bad(`${where}: stop_words is not a list`));
  const range = o.state.get('ngram_range') ?? [1, 1];
  const [minN, maxN] = Array.isArray(range) ? range.map((v) => num(v, 'ngram_range')) : [1, 1];
  return (doc) => {
    let d = accents === 'unicode' ? doc.normalize('NFKD').replace(/\p{M}/gu, '') : accents === 'ascii' ? doc.normalize('NFKD').replace(/[^\x00-\x7f]/g, '') : doc;
    if (lower) d = d.toLowerCase();
    let tokens: string[] = d.match(WORDS) ?? [];
    if (stop) tokens = tokens.filter((t) => !stop.has(t));
    if (maxN === 1 && minN === 1) return tokens;
    const out = minN === 1 ? [...tokens] : [];
    for (let n = Math.max(minN, 2); n <= Math.min(maxN!, tokens.length); n++) {
      for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(' '));
    }
    return out;
  };
}

function vocabulary(o: PyObject, where: string): Map<string, number> {
  const v = o.state.get('vocabulary_');
  if (!(v instanceof Map)) bad(`${where}: ${o.cls}.vocabulary_ is missing (is it fitted?)`);
  const out = new Map<string, number>();
  for (const [k, i] of v) out.set(String(k), num(i, 'vocabulary index'));
  return out;
}

/** Term counts of one document, over the fitted vocabulary. */
function counter(o: PyObject, where: string): { n: number; count: (doc: unknown) => Float64Array } {
  const analyze = analyzer(o, where);
  const vocab = vocabulary(o, where);
  const binary = o.state.get('binary') === true;
  const n = vocab.size;
  return {
    n,
    count: (doc) => {
      if (typeof doc !== 'string') throw new InputError(`${where}: a text column is missing (scikit-learn: "np.nan is an invalid document")`, 'Send a string for this column; an empty string "" for no text.');
      const y = new Float64Array(n);
      for (const t of analyze(doc)) {
        const j = vocab.get(t);
        if (j !== undefined) y[j] = binary ? 1 : y[j]! + 1;
      }
      return y;
    },
  };
}

function countVectorizer(o: PyObject, _ctx: unknown, where: string): Transformer {
  const c = counter(o, where);
  return { nIn: 1, nOut: c.n, inputs: ['string'], transform: (x) => c.count(x[0]) };
}

/** sklearn.preprocessing.normalize on one row (l1 or l2), a zero norm leaving it as it is. */
function normalizeRow(y: Float64Array, norm: unknown): void {
  if (norm === null || norm === undefined) return;
  let s = 0;
  for (let j = 0; j < y.length; j++) s += norm === 'l1' ? Math.abs(y[j]!) : y[j]! * y[j]!;
  if (norm === 'l2') s = Math.sqrt(s);
  if (s === 0) return;
  for (let j = 0; j < y.length; j++) y[j] = y[j]! / s;
}

function idfOf(t: PyObject, n: number, where: string): Float64Array | null {
  if (t.state.get('use_idf') === false) return null;
  const diag = t.state.get('_idf_diag');
  const data = diag instanceof PyObject ? diag.state.get('data') : t.state.get('idf_');
  if (!(data instanceof NdArray)) bad(`${where}: the tf-idf weights are missing`);
  const idf = data.numbers().subarray(0, n);
  if (idf.length !== n) bad(`${where}: ${idf.length} idf weights for ${n} terms`);
  return idf;
}

function tfidfVectorizer(o: PyObject, _ctx: unknown, where: string): Transformer {
  const c = counter(o, where);
  const t = o.state.get('_tfidf');
  if (!(t instanceof PyObject)) bad(`${where}: TfidfVectorizer._tfidf is missing (is it fitted?)`);
  const idf = idfOf(t, c.n, where);
  const sublinear = t.state.get('sublinear_tf') === true;
  const norm = t.state.get('norm') ?? 'l2';
  return {
    nIn: 1,
    nOut: c.n,
    inputs: ['string'],
    transform: (x) => {
      const y = c.count(x[0]);
      for (let j = 0; j < y.length; j++) {
        if (y[j] === 0) continue;
        if (sublinear) y[j] = Math.log(y[j]!) + 1;
        if (idf) y[j] = y[j]! * idf[j]!;
      }
      normalizeRow(y, norm);
      return y;
    },
  };
}

export function register(r: Registry): void {
  r.transformer('CountVectorizer', countVectorizer);
  r.transformer('TfidfVectorizer', tfidfVectorizer);
}
