/** @jest-environment node */
/**
 * Properties every detector must have: feeding a series in any chunking gives bit-identical
 * results to one call, and no input (NaN, ±Inf, constants, 1e300) makes a judged point NaN.
 */
import fc from 'fast-check';
import { SignalInput, SignalKind, SIGNAL_KINDS } from '../types';
import { createDetector } from './registry';
import {
  bucketInput,
  calibrationInput,
  firstDifference,
  invariantViolation,
  ratioInput,
  runChunked,
  STEP_MS,
  valueInput,
} from './testHelpers';

const MAX_LEN = 160;

/** Small windows so that warm-up ends and the rolling state turns over inside MAX_LEN points. */
const PARAMS: Record<SignalKind, object> = {
  robust_z: { window: 7, warmup: 3 },
  seasonal: { season: 5, seasons: 2, tolerance: 1, window: 6, warmup: 2 },
  level_shift: { window: 8, warmup: 3, max: 8 },
  ratio: { window: 2, baseline: 5, warmup: 2 },
  histogram_drift: { window: 2, reference: 3, minCount: 5, warmup: 1 },
  calibration: { window: 2, baseline: 3, minCount: 5, warmup: 1 },
  staleness: { warn: 30, max: 300, missingAfter: 120 },
  threshold: { above: 100, below: -100, soft: 50 },
};

const special = fc.constantFrom(NaN, Infinity, -Infinity, 1e300, -1e300, 1.7e308, 0, 5, 5, 5);
const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }) },
  { weight: 3, arbitrary: special }
);
const count = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 50 }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, 1e300, 0) }
);

function inputFor(kind: SignalKind): fc.Arbitrary<SignalInput> {
  switch (kind) {
    case 'ratio':
      return fc.array(fc.tuple(count, count), { maxLength: MAX_LEN }).map((rows) =>
        ratioInput(
          rows.map((r) => r[0]),
          rows.map((r) => r[1])
        )
      );
    case 'histogram_drift':
      return fc.array(fc.tuple(count, count, count), { maxLength: MAX_LEN }).map((rows) =>
        bucketInput(
          [0.1, 1, Infinity],
          rows.map(([a, b, c]) => [a, a + b, a + b + c])
        )
      );
    case 'calibration':
      return fc
        .array(fc.tuple(count, count, fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: MAX_LEN })
        .map((rows) => {
          const total = rows.map(([a, b]) => [a, a + b]);
          const correct = rows.map(([a, b, f]) => [Math.floor(a * f), Math.floor(a * f) + Math.floor(b * f)]);
          return calibrationInput([0.7, Infinity], total, correct);
        });
    case 'staleness':
      return fc.array(value, { maxLength: MAX_LEN }).map((vs) => {
        const input = valueInput(vs);
        // timestamps near the time axis, in seconds
        input.value = input.value.map((v, i) =>
          Number.isFinite(v) && Math.abs(v) <= 1000 ? input.t[i] / 1000 - Math.abs(v) : v
        );
        return input;
      });
    default:
      return fc.array(value, { maxLength: MAX_LEN }).map((vs) => valueInput(vs));
  }
}

const cutsArb = fc
  .uniqueArray(fc.integer({ min: 1, max: MAX_LEN - 1 }), { maxLength: 12 })
  .map((c) => c.sort((a, b) => a - b));
const directionArb = fc.constantFrom('up' as const, 'down' as const, 'both' as const);

describe.each(SIGNAL_KINDS.map((k) => [k]))('%s', (kind) => {
  it('chunking gives bit-identical results to a single call', () => {
    fc.assert(
      fc.property(inputFor(kind), cutsArb, directionArb, (input, cuts, direction) => {
        const opts = { stepMs: STEP_MS, direction };
        const whole = createDetector(kind, PARAMS[kind], opts).process(input);
        const chunked = runChunked(createDetector(kind, PARAMS[kind], opts), input, cuts);
        const diff = firstDifference(whole, chunked);
        if (diff) {
          throw new Error(`chunks at ${cuts}: ${diff}`);
        }
      }),
      { numRuns: 150 }
    );
  });

  it('never produces NaN severity at judged points, nor throws, on hostile values', () => {
    fc.assert(
      fc.property(inputFor(kind), directionArb, (input, direction) => {
        const r = createDetector(kind, PARAMS[kind], { stepMs: STEP_MS, direction }).process(input);
        const problem = invariantViolation(r);
        if (problem) {
          throw new Error(problem);
        }
        expect(r.t).toEqual(input.t);
      }),
      { numRuns: 150 }
    );
  });

  it('an empty chunk is fine', () => {
    const det = createDetector(kind, PARAMS[kind], { stepMs: STEP_MS });
    const empty = fc.sample(inputFor(kind), { numRuns: 50, seed: 1 }).find((x) => x.t.length === 0);
    if (empty) {
      expect(det.process(empty).t.length).toBe(0);
    }
  });
});

describe('constant series', () => {
  it.each(['robust_z', 'seasonal', 'level_shift'] as const)('%s: judged with severity 0, never NaN', (kind) => {
    const r = createDetector(kind, PARAMS[kind], { stepMs: STEP_MS }).process(valueInput(new Array(60).fill(42)));
    const judged = Array.from(r.severity).filter((_, i) => r.status[i] === 0);
    expect(judged.length).toBeGreaterThan(30);
    expect(judged.every((s) => s === 0)).toBe(true);
  });
});
