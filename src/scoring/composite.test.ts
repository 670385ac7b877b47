/** @jest-environment node */
import fc from 'fast-check';

import {
  combine,
  CompositeSignal,
  evidenceFromScore,
  evidenceOf,
  MAX_SEVERITY,
  scaleScore,
  scoreFromEvidence,
} from './composite';
import type { CompositeMethod } from './types';

const METHODS: CompositeMethod[] = ['evidence', 'weighted_mean', 'max'];
const RUNS = 3000;

function signals(rows: Array<[string, number, number[]]>): CompositeSignal[] {
  return rows.map(([id, weight, s]) => ({ id, weight, severity: Float64Array.from(s) }));
}

function contribSum(r: ReturnType<typeof combine>, i: number): number {
  return Object.values(r.contrib).reduce((acc, c) => acc + c[i], 0);
}

describe('composite: known answers', () => {
  it('two signals at s=0.5, w=1: E = 2 ln 2, score 75, 37.5 each', () => {
    const r = combine(
      signals([
        ['a', 1, [0.5]],
        ['b', 1, [0.5]],
      ])
    );
    expect(r.evidence[0]).toBeCloseTo(2 * Math.LN2, 12);
    expect(r.score[0]).toBeCloseTo(75, 10);
    expect(r.contrib.a[0]).toBeCloseTo(37.5, 10);
    expect(r.contrib.b[0]).toBeCloseTo(37.5, 10);
  });

  it('one strong signal carries the score alone; weights scale evidence', () => {
    const r = combine(
      signals([
        ['a', 1, [0.9]],
        ['b', 1, [0]],
      ])
    );
    expect(r.score[0]).toBeCloseTo(90, 10);
    expect(r.contrib.a[0]).toBeCloseTo(90, 10);
    expect(r.contrib.b[0]).toBe(0);
    // w = 2 at s = 0.5: e = 2 ln 2, score = 75
    expect(combine(signals([['a', 2, [0.5]]])).score[0]).toBeCloseTo(75, 10);
  });

  it('uneven evidence splits the score in proportion to evidence', () => {
    // e_a = ln 2, e_b = ln 4 = 2 ln 2, E = 3 ln 2, score = 87.5; shares 1/3 and 2/3
    const r = combine(
      signals([
        ['a', 1, [0.5]],
        ['b', 1, [0.75]],
      ])
    );
    expect(r.score[0]).toBeCloseTo(87.5, 10);
    expect(r.contrib.a[0]).toBeCloseTo(87.5 / 3, 10);
    expect(r.contrib.b[0]).toBeCloseTo((2 * 87.5) / 3, 10);
  });

  it('s = 1 is clamped so the score stays finite and below 100', () => {
    const r = combine(signals([['a', 1, [1]]]));
    expect(Number.isFinite(r.evidence[0])).toBe(true);
    expect(r.evidence[0]).toBeCloseTo(-Math.log(1 - MAX_SEVERITY), 6);
    expect(r.score[0]).toBeLessThanOrEqual(100);
    expect(r.score[0]).toBeGreaterThan(99.999999);
  });

  it('missing severities contribute nothing and are counted per point', () => {
    const r = combine(
      signals([
        ['a', 1, [NaN, 0.5]],
        ['b', 1, [0.5, NaN]],
        ['c', 1, [NaN, NaN]],
      ])
    );
    expect(Array.from(r.missingCount)).toEqual([2, 2]);
    expect(r.score[0]).toBeCloseTo(50, 10);
    expect(r.contrib.a[0]).toBe(0);
    expect(r.contrib.b[0]).toBeCloseTo(50, 10);
  });

  it('weighted mean over present signals', () => {
    // (2*0.8 + 1*0.2) / 3 = 0.6 -> 60; contributions 100*2*0.8/3 and 100*0.2/3
    const r = combine(
      signals([
        ['a', 2, [0.8]],
        ['b', 1, [0.2]],
        ['c', 5, [NaN]],
      ]),
      { method: 'weighted_mean' }
    );
    expect(r.score[0]).toBeCloseTo(60, 10);
    expect(r.contrib.a[0]).toBeCloseTo(160 / 3, 10);
    expect(r.contrib.b[0]).toBeCloseTo(20 / 3, 10);
    expect(r.contrib.c[0]).toBe(0);
    expect(r.missingCount[0]).toBe(1);
  });

  it('max gives everything to the argmax, ties to the first id', () => {
    const r = combine(
      signals([
        ['z', 1, [0.7, 0.2]],
        ['a', 1, [0.7, 0.3]],
      ]),
      { method: 'max' }
    );
    expect(r.score[0]).toBeCloseTo(70, 10);
    expect(r.contrib.a[0]).toBeCloseTo(70, 10);
    expect(r.contrib.z[0]).toBe(0);
    expect(r.contrib.a[1]).toBeCloseTo(30, 10);
  });

  it('all missing or no signals gives score 0, not NaN', () => {
    for (const method of METHODS) {
      const r = combine(signals([['a', 1, [NaN]]]), { method });
      expect(r.score[0]).toBe(0);
      expect(r.missingCount[0]).toBe(1);
    }
    expect(combine([]).score.length).toBe(0);
  });

  it('multiplier acts on evidence: m = 2 at score 50 gives 75', () => {
    for (const method of METHODS) {
      const r = combine(signals([['a', 1, [0.5]]]), { method, multiplier: 2 });
      expect(r.score[0]).toBeCloseTo(75, 10);
      expect(r.contrib.a[0]).toBeCloseTo(75, 10);
    }
    expect(scaleScore(50, 0)).toBe(0);
    expect(scaleScore(100, 0.5)).toBe(100);
    expect(scoreFromEvidence(evidenceFromScore(62))).toBeCloseTo(62, 10);
    expect(evidenceOf(0.5, 0)).toBe(0);
    expect(evidenceOf(NaN, 1)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const severityArb = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, 0, 1, 1 - 1e-15, -0.5, 1.5, Infinity, -Infinity) }
);
const weightArb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 1e-3, max: 20, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, NaN) }
);
const idArb = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/);

const casesArb = fc.integer({ min: 1, max: 6 }).chain((points) =>
  fc.record({
    rows: fc.uniqueArray(fc.tuple(idArb, weightArb, fc.array(severityArb, { minLength: points, maxLength: points })), {
      minLength: 0,
      maxLength: 6,
      selector: (r) => r[0],
    }),
    method: fc.constantFrom<CompositeMethod>('evidence', 'weighted_mean', 'max'),
    multiplier: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 10, noNaN: true })),
  })
);

describe('composite: properties', () => {
  it('score is in [0, 100], never NaN; contributions are >= 0 and sum to the score', () => {
    fc.assert(
      fc.property(casesArb, ({ rows, method, multiplier }) => {
        const r = combine(signals(rows), { method, multiplier });
        // Plain checks (not expect) in the hot loop: thousands of runs stay fast.
        for (let i = 0; i < r.score.length; i++) {
          const s = r.score[i];
          if (!(s >= 0 && s <= 100) || Math.abs(contribSum(r, i) - s) > 1e-9) {
            return false;
          }
          if (Object.values(r.contrib).some((c) => !(c[i] >= 0))) {
            return false;
          }
        }
        return true;
      }),
      { numRuns: RUNS }
    );
  });

  it('signal order does not matter (bit-identical)', () => {
    const withPermutation = casesArb.chain((c) =>
      fc.tuple(fc.constant(c), fc.shuffledSubarray(c.rows, { minLength: c.rows.length, maxLength: c.rows.length }))
    );
    fc.assert(
      fc.property(withPermutation, ([{ rows, method, multiplier }, shuffled]) => {
        const a = combine(signals(rows), { method, multiplier });
        const b = combine(signals(shuffled), { method, multiplier });
        expect(Array.from(b.score)).toEqual(Array.from(a.score));
        for (const id of Object.keys(a.contrib)) {
          expect(Array.from(b.contrib[id])).toEqual(Array.from(a.contrib[id]));
        }
      }),
      { numRuns: RUNS }
    );
  });

  it('raising one present severity never lowers the score (all methods)', () => {
    fc.assert(
      fc.property(
        casesArb.filter((c) => c.rows.length > 0),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ rows, method, multiplier }, pick, bump) => {
          const k = pick % rows.length;
          const raised = rows.map(([id, w, s], j): [string, number, number[]] => [
            id,
            w,
            j === k ? s.map((x) => (Number.isNaN(x) ? x : Math.min(1, Math.max(0, x) + bump))) : s,
          ]);
          const before = combine(signals(rows), { method, multiplier });
          const after = combine(signals(raised), { method, multiplier });
          return before.score.every((s, i) => after.score[i] >= s - 1e-12);
        }
      ),
      { numRuns: RUNS }
    );
  });

  it('evidence: a signal going from missing to present never lowers the score', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (others, s) => {
          const rows = others.map((x, j): [string, number, number[]] => [`s${j}`, 1, [x]]);
          const without = combine(signals([...rows, ['new', 1, [NaN]]]));
          const withIt = combine(signals([...rows, ['new', 1, [s]]]));
          expect(withIt.score[0]).toBeGreaterThanOrEqual(without.score[0]);
        }
      ),
      { numRuns: RUNS }
    );
  });

  it('scoreOnly gives the same scores', () => {
    fc.assert(
      fc.property(casesArb, ({ rows, method, multiplier }) => {
        const full = combine(signals(rows), { method, multiplier });
        const only = combine(signals(rows), { method, multiplier, scoreOnly: true });
        expect(Array.from(only.score)).toEqual(Array.from(full.score));
        expect(only.contrib).toEqual({});
      }),
      { numRuns: 1000 }
    );
  });
});
