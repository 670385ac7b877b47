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

const MAX_LEN = 240;

/**
 * Small windows so that warm-up ends and the rolling state turns over inside MAX_LEN points: with a
 * fixed ramp, and with the rarity severity on its shortest history (1 h = 12 blocks of 5 min, so
 * rarity judges from point 60 on and its history turns over by point 120).
 */
const RAMP_PARAMS: Record<SignalKind, object> = {
  robust_z: { window: 7, warmup: 3, severity: 'ramp' },
  seasonal: { season: 5, seasons: 2, tolerance: 1, window: 6, warmup: 2, severity: 'ramp' },
  level_shift: { window: 8, warmup: 3, max: 8 },
  ratio: { window: 2, baseline: 5, warmup: 2, severity: 'ramp' },
  histogram_drift: { window: 2, reference: 3, minCount: 5, warmup: 1, severity: 'ramp' },
  calibration: { window: 2, baseline: 3, minCount: 5, warmup: 1, severity: 'ramp' },
  staleness: { warn: 30, max: 300, missingAfter: 120 },
  threshold: { above: 100, below: -100, soft: 50 },
};
const RARITY = { severity: 'rarity', rarityWindow: '1h', rarity: '1d' };
const RARITY_PARAMS: Partial<Record<SignalKind, object>> = {
  robust_z: { window: 7, warmup: 3, ...RARITY },
  seasonal: { season: 5, seasons: 2, tolerance: 1, window: 6, warmup: 2, ...RARITY },
  level_shift: { window: 8, warmup: 3, cap: 8, ...RARITY },
  ratio: { window: 2, baseline: 5, warmup: 2, ...RARITY },
  histogram_drift: { window: 2, reference: 3, minCount: 5, warmup: 1, ...RARITY },
  calibration: { window: 2, baseline: 3, minCount: 5, warmup: 1, ...RARITY },
  staleness: { minLag: 30, missingAfter: 120, ...RARITY },
};
const CASES: Array<[string, SignalKind, object]> = [
  ...SIGNAL_KINDS.map((k): [string, SignalKind, object] => [`${k} (ramp)`, k, RAMP_PARAMS[k]]),
  ...SIGNAL_KINDS.filter((k) => RARITY_PARAMS[k]).map((k): [string, SignalKind, object] => [
    `${k} (rarity)`,
    k,
    RARITY_PARAMS[k]!,
  ]),
];

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

describe.each(CASES)('%s', (_name, kind, params) => {
  it('chunking gives bit-identical results to a single call', () => {
    fc.assert(
      fc.property(inputFor(kind), cutsArb, directionArb, (input, cuts, direction) => {
        const opts = { stepMs: STEP_MS, direction };
        const whole = createDetector(kind, params, opts).process(input);
        const chunked = runChunked(createDetector(kind, params, opts), input, cuts);
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
        const r = createDetector(kind, params, { stepMs: STEP_MS, direction }).process(input);
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
    const det = createDetector(kind, params, { stepMs: STEP_MS });
    const empty = fc.sample(inputFor(kind), { numRuns: 50, seed: 1 }).find((x) => x.t.length === 0);
    if (empty) {
      expect(det.process(empty).t.length).toBe(0);
    }
  });
});

describe('constant series', () => {
  it.each(['robust_z', 'seasonal', 'level_shift'] as const)('%s: judged with severity 0, never NaN', (kind) => {
    for (const params of [RAMP_PARAMS[kind], RARITY_PARAMS[kind]!]) {
      const r = createDetector(kind, params, { stepMs: STEP_MS }).process(valueInput(new Array(200).fill(42)));
      const judged = Array.from(r.severity).filter((_, i) => r.status[i] === 0);
      expect(judged.length).toBeGreaterThan(120);
      expect(judged.every((s) => s === 0)).toBe(true);
    }
  });
});
