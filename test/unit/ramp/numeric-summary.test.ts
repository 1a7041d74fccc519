// The bounded summary `ramp drift` keeps of a numeric column: exact values, then exact counts,
// then a quantile sketch whose size does not depend on how many values it has seen.
import { describe, expect, it } from 'vitest';
import { ksStatistic, quantile, wasserstein } from '../../../labs/ramp/src/release/drift-stats.ts';
import { EXACT_LIMIT, MAX_DISTINCT, NumericSummary } from '../../../labs/ramp/src/release/numeric-summary.ts';
import { QuantileSketch } from '../../../labs/ramp/src/release/quantile-sketch.ts';

function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
}

describe('quantile sketch', () => {
  it('holds at most a constant number of values and bytes, however many it is fed', () => {
    const s = new QuantileSketch();
    const u = uniform(1);
    const bytes: number[] = [];
    for (let n = 1; n <= 1 << 22; n++) {
      s.add(u());
      if ((n & (n - 1)) === 0 && n >= 1 << 14) {
        expect(s.retained()).toBeLessThanOrEqual(s.maxRetained());
        bytes.push(s.bytes());
      }
    }
    expect(s.n).toBe(1 << 22);
    expect(Math.max(...bytes)).toBeLessThanOrEqual(s.maxBytes());
    // The bound is a constant far below what the values themselves take (8 bytes each).
    expect(s.maxBytes()).toBeLessThan(8 * (1 << 22) / 20);
    // From 2^18 to 2^22 values (16 times as many), the state does not grow with them.
    expect(bytes[bytes.length - 1]!).toBeLessThan(1.5 * bytes[4]!);
  });

  it('keeps the total count, the minimum and the maximum exactly', () => {
    const s = new QuantileSketch();
    const u = uniform(2);
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < 300_000; i++) {
      const v = u() * 1000 - 500;
      min = Math.min(min, v);
      max = Math.max(max, v);
      s.add(v);
    }
    const w = s.weighted();
    expect(w.cum[w.cum.length - 1]).toBe(300_000);
    expect([w.x[0], w.x[w.x.length - 1]]).toEqual([min, max]);
  });

  it.each([['random', 0], ['ascending', 1], ['descending', -1]] as const)('ranks within 1e-3 of the exact ones, values arriving in %s order', (_name, order) => {
    const u = uniform(3);
    const v = new Float64Array(1_000_000);
    for (let i = 0; i < v.length; i++) v[i] = u() ** 3 * 100;
    const exact = v.slice().sort();
    const feed = order === 0 ? v : order === 1 ? exact : exact.slice().reverse();
    const s = new QuantileSketch();
    for (const x of feed) s.add(x);
    const w = s.weighted();
    expect(ksStatistic(exact, w)).toBeLessThanOrEqual(1e-3); // sup |F̂ − F|
    expect(ksStatistic(exact, w)).toBeGreaterThan(0); // it does approximate
    const sd = 100 * Math.sqrt(1 / 7 - 1 / 16); // of u³·100
    expect(wasserstein(exact, w) / sd).toBeLessThanOrEqual(2e-3);
  });

  it('gives equal sketches for equal inputs (a seeded generator)', () => {
    const a = new QuantileSketch(), b = new QuantileSketch();
    const u = uniform(4);
    for (let i = 0; i < 200_000; i++) { const x = u(); a.add(x); b.add(x); }
    expect(ksStatistic(a.weighted(), b.weighted())).toBe(0);
  });
});

describe('numeric summary', () => {
  it(`keeps every value up to ${EXACT_LIMIT}, in order statistics identical to a sort`, () => {
    const s = new NumericSummary();
    const u = uniform(5);
    const all: number[] = [];
    for (let i = 0; i < EXACT_LIMIT; i++) { const v = Math.round(u() * 1e6) / 100; all.push(v); s.push(v); }
    expect(s.kind).toBe('values');
    expect(Array.from(s.sorted() as Float64Array)).toEqual(all.sort((a, b) => a - b));
  });

  it('counts a column with few distinct values exactly past the limit, in bounded size', () => {
    const s = new NumericSummary();
    const u = uniform(6);
    const all = new Float64Array(500_000);
    for (let i = 0; i < all.length; i++) { all[i] = Math.floor(u() * 300) / 4; s.push(all[i]!); }
    expect(s.kind).toBe('counts');
    expect(s.size()).toBeLessThanOrEqual(300);
    const exact = all.sort();
    for (const q of [0, 0.1, 0.25, 0.5, 0.9, 1]) expect(quantile(s.sorted(), q)).toBe(quantile(exact, q));
    expect(ksStatistic(exact, s.sorted())).toBe(0);
  });

  it('sketches a continuous column past the limit; its size stays bounded as rows grow', () => {
    const s = new NumericSummary();
    const u = uniform(7);
    const sizes: number[] = [];
    for (let i = 1; i <= 2_000_000; i++) {
      s.push(u());
      if (i % 250_000 === 0) sizes.push(s.size());
    }
    expect(s.kind).toBe('sketch');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(new QuantileSketch().maxRetained());
    expect(Math.max(...sizes)).toBeLessThan(EXACT_LIMIT / 2);
  });

  it('moves from counts to a sketch when the distinct values pass the limit, keeping every count', () => {
    const s = new NumericSummary();
    for (let i = 0; i < EXACT_LIMIT + 10; i++) s.push(i % 7);
    expect(s.kind).toBe('counts');
    for (let i = 0; i <= MAX_DISTINCT; i++) s.push(1000 + i);
    expect(s.kind).toBe('sketch');
    const w = s.sorted() as { cum: Float64Array };
    expect(w.cum[w.cum.length - 1]).toBe(EXACT_LIMIT + 10 + MAX_DISTINCT + 1);
  });

  it('has exact moments in every form (Welford past the exact values)', () => {
    const s = new NumericSummary();
    const u = uniform(8);
    let sum = 0, sq = 0;
    const n = 300_000;
    for (let i = 0; i < n; i++) { const v = 1000 + u(); sum += v; sq += v * v; s.push(v); }
    const mean = sum / n;
    const m = s.moments();
    expect(Math.abs(m.mean - mean)).toBeLessThan(1e-9);
    expect(Math.abs(m.std - Math.sqrt(1 / 12))).toBeLessThan(2e-3); // the sample's, near the population's
    expect(Math.abs(m.std ** 2 - (sq / n - mean * mean))).toBeLessThan(1e-6);
  });
});
