// Property-based fuzzing of mutated valid pickles: only typed errors or a successful load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../labs/ramp/src/estimators/index.ts';
import { InputError, isTypedPickleError } from '../../../labs/ramp/src/errors.ts';
import { loadPickleBytes } from '../../../labs/ramp/src/load.ts';
import { MODELS } from './helpers.ts';

const seeds = ['dtc.p4.pkl', 'logreg_multinomial.p5.pkl', 'pipe_std_logreg.p2.pkl', 'gbc_binary.joblib', 'ridge.p3.pkl', 'dtc_node13.p5.pkl', 'numpy/arrays.p4.pkl', 'etc.zlib.joblib']
  .map((f) => new Uint8Array(readFileSync(join(MODELS, f))));

type Mut = { kind: 'flip'; at: number; val: number } | { kind: 'trunc'; at: number } | { kind: 'insert'; at: number; bytes: number[] } | { kind: 'splice'; at: number; from: number; len: number; other: number } | { kind: 'delete'; at: number; len: number };

const mut: fc.Arbitrary<Mut> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), val: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('trunc' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), len: fc.integer({ min: 1, max: 64 }), other: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
);

function apply(src: Uint8Array, muts: Mut[]): Uint8Array {
  let b = src;
  for (const m of muts) {
    const at = b.length ? m.at % b.length : 0;
    if (m.kind === 'flip') { b = b.slice(); b[at] = m.val; }
    else if (m.kind === 'trunc') b = b.slice(0, at);
    else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else if (m.kind === 'delete') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.len)]);
    else {
      const o = seeds[m.other % seeds.length]!;
      const from = o.length ? m.from % o.length : 0;
      b = Uint8Array.from([...b.subarray(0, at), ...o.subarray(from, from + m.len), ...b.subarray(at)]);
    }
  }
  return b;
}

function attempt(bytes: Uint8Array): void {
  for (const mode of ['load', 'scan'] as const) {
    try {
      const { result } = loadPickleBytes(bytes, mode);
      if (mode === 'load') {
        const m = buildModel(result.value);
        const x = new Float64Array(m.nFeatures).fill(0.5);
        if (m.task === 'classifier') m.predictIndex(x);
        else m.predictValues(x, new Float64Array(Math.max(1, m.nOutputs)));
      }
    } catch (e) {
      if (isTypedPickleError(e) || e instanceof InputError) continue;
      throw e;
    }
  }
}

describe('fuzz: mutated valid pickles', () => {
  // A hang fails at the test timeout (ten times a normal run); the limits in the code bound the work.
  it('only typed errors or a successful load, never hangs', { timeout: 150_000 }, () => {
    fc.assert(
      fc.property(fc.nat({ max: seeds.length - 1 }), fc.array(mut, { minLength: 1, maxLength: 4 }), (si, muts) => {
        const bytes = apply(seeds[si]!, muts);
        attempt(bytes);
      }),
      { numRuns: 1500, seed: 20240601 },
    );
  });
  it('random bytes after a PROTO header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.integer({ min: 0, max: 5 }), (body, proto) => {
        attempt(Uint8Array.from([0x80, proto, ...body]));
      }),
      { numRuns: 1500, seed: 7 },
    );
  });
});
