/** @jest-environment node */
import fc from 'fast-check';

import {
  createEntityScorer,
  EntityScore,
  normalizeInput,
  rankEntities,
  scoreEntities,
  scoreEntity,
  ScoreOptions,
  severityInterval,
  SignalInputs,
  tiersOf,
  unionTimes,
} from './engine';
import { ScoreSpec, ScoreSpecInput, withDefaults } from './spec';
import { Detector, DetectorResult, POINT_MISSING, POINT_OK, POINT_WARMING_UP, SignalInput, ValueInput } from './types';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const MIN = 60_000;

function value(t: number[], v: number[]): ValueInput {
  return { type: 'value', t: Float64Array.from(t), value: Float64Array.from(v) };
}

function steps(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => start + i * MIN);
}

/**
 * A transparent detector for known-answer tests: severity = the value itself (clamped to [0, 1]),
 * support = 100, NaN values missing, negative values "warming up".
 */
const echoDetectors: ScoreOptions = {
  createDetector: (): Detector => ({
    kind: 'threshold',
    process(chunk: SignalInput): DetectorResult {
      const v = (chunk as ValueInput).value;
      const n = v.length;
      const r: DetectorResult = {
        t: Float64Array.from(chunk.t),
        statistic: Float64Array.from(v),
        severity: new Float64Array(n),
        expected: new Float64Array(n),
        lower: new Float64Array(n),
        upper: new Float64Array(n).fill(0.1),
        support: new Float64Array(n).fill(100),
        status: new Uint8Array(n),
      };
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(v[i])) {
          r.severity[i] = NaN;
          r.status[i] = POINT_MISSING;
        } else if (v[i] < 0) {
          r.severity[i] = NaN;
          r.status[i] = POINT_WARMING_UP;
        } else {
          r.severity[i] = Math.min(1, v[i]);
          r.status[i] = POINT_OK;
        }
      }
      return r;
    },
  }),
};

function echoSpec(ids: string[], extra: Partial<ScoreSpecInput> = {}): ScoreSpec {
  return withDefaults({
    id: 'test',
    step: '1m',
    entity: ['model'],
    signals: ids.map((id) => ({ id, kind: 'threshold', params: { above: 1 } })),
    ...extra,
  });
}

/** Real detectors, small point-count windows so properties exercise warm-up and judgement. */
const REAL_SPEC: ScoreSpec = withDefaults({
  id: 'real',
  step: '1m',
  entity: ['model'],
  signals: [
    { id: 'latency', kind: 'robust_z', params: { window: 8, warmup: 4, warn: 2, max: 5 } },
    { id: 'shift', kind: 'level_shift', params: { window: 8, warmup: 4, warn: 2, max: 6 } },
    { id: 'errors', kind: 'ratio', params: { window: 2, baseline: 6, warmup: 3 } },
    { id: 'limit', kind: 'threshold', weight: 0.5, params: { above: 50, soft: 20 } },
  ],
  tiers: { minDuration: { critical: '2m' } },
  context: [{ id: 'maint', match: {}, suppress: [{ from: 10 * MIN, to: 12 * MIN }] }],
});

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (!(Object.is(a[i], b[i]) || a[i] === b[i])) {
      return false;
    }
  }
  return true;
}

function concat<T extends Float64Array | Uint8Array | Uint16Array>(parts: T[]): number[] {
  return parts.flatMap((p) => Array.from(p));
}

/** Everything numeric in two results (from chunks vs batch) is identical. */
function sameScores(batch: EntityScore, chunks: EntityScore[]): boolean {
  const fields = [
    't',
    'score',
    'scoreLower',
    'scoreUpper',
    'evidence',
    'tier',
    'baseTier',
    'suppressed',
    'multiplier',
    'missingCount',
  ] as const;
  for (const f of fields) {
    if (!sameArray(batch[f], concat(chunks.map((c) => c[f] as Float64Array)))) {
      return false;
    }
  }
  for (const id of Object.keys(batch.contrib)) {
    if (!sameArray(batch.contrib[id], concat(chunks.map((c) => c.contrib[id])))) {
      return false;
    }
    const sig = batch.signals[id];
    for (const f of ['statistic', 'severity', 'expected', 'lower', 'upper', 'support', 'status'] as const) {
      if (!sameArray(sig.result[f], concat(chunks.map((c) => c.signals[id].result[f] as Float64Array)))) {
        return false;
      }
    }
    if (!sameArray(sig.severityUpper, concat(chunks.map((c) => c.signals[id].severityUpper)))) {
      return false;
    }
  }
  return true;
}

function sliceInput(input: SignalInput, from: number, to: number): SignalInput {
  const keep = (t: number) => t >= from && t < to;
  const idx = Array.from(input.t.keys()).filter((i) => keep(input.t[i]));
  const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]);
  switch (input.type) {
    case 'value':
      return { type: 'value', t: pick(input.t), value: pick(input.value) };
    case 'ratio':
      return { type: 'ratio', t: pick(input.t), num: pick(input.num), den: pick(input.den) };
    default:
      throw new Error('not used');
  }
}

// ---------------------------------------------------------------------------------------------
// Known answers
// ---------------------------------------------------------------------------------------------

describe('scoreEntity: known answers', () => {
  it('two signals at severity 0.5 give 75 with 37.5 each', () => {
    const es = scoreEntity(
      echoSpec(['a', 'b']),
      { model: 'm' },
      { a: value([0], [0.5]), b: value([0], [0.5]) },
      echoDetectors
    );
    expect(es.score[0]).toBeCloseTo(75, 10);
    expect(es.contrib.a[0]).toBeCloseTo(37.5, 10);
    expect(es.contrib.b[0]).toBeCloseTo(37.5, 10);
    expect(tiersOf(es)).toEqual(['critical']);
    expect(es.key).toBe('{model="m"}');
    expect(es.errors).toEqual([]);
  });

  it('aligns signals on the union of timestamps; absent points are missing, not zero risk', () => {
    const es = scoreEntity(
      echoSpec(['a', 'b']),
      {},
      { a: value([0, MIN, 2 * MIN], [0.5, 0.5, 0.5]), b: value([MIN, 3 * MIN], [0.5, 0.5]) },
      echoDetectors
    );
    expect(Array.from(es.t)).toEqual([0, MIN, 2 * MIN, 3 * MIN]);
    expect(Array.from(es.missingCount)).toEqual([1, 0, 1, 1]);
    expect(Array.from(es.score).map((x) => Math.round(x * 1e6) / 1e6)).toEqual([50, 75, 50, 50]);
    expect(es.signals.b.result.status[0]).toBe(POINT_MISSING);
    // the missing signal widens the interval upwards
    expect(es.scoreUpper[0]).toBeGreaterThan(es.score[0] + 1);
    expect(es.scoreUpper[1]).toBeLessThan(es.scoreUpper[0]);
  });

  it('reports per-signal state: ok, warming_up, missing, error', () => {
    const spec = echoSpec(['a', 'b', 'c', 'd']);
    const es = scoreEntity(
      spec,
      {},
      {
        a: value([0], [0.2]),
        b: value([0], [-1]),
        d: { type: 'value', t: Float64Array.from([0, 1]), value: Float64Array.from([1]) },
      },
      echoDetectors
    );
    expect(es.signals.a.state).toBe('ok');
    expect(es.signals.b.state).toBe('warming_up');
    expect(es.signals.c.state).toBe('missing');
    expect(es.signals.c.message).toBe('no data for this signal');
    expect(es.signals.d.state).toBe('error');
    expect(es.signals.d.message).toMatch(/input.value has 1 points but input.t has 2/);
    expect(es.errors.join('\n')).toMatch(/signal d/);
  });

  it('a detector that throws marks its signal as error and the others still score', () => {
    const spec = echoSpec(['a', 'boom']);
    const opts: ScoreOptions = {
      createDetector: (s, o) => {
        if (s.id === 'boom') {
          return {
            kind: 'threshold',
            process() {
              throw new Error('kaput');
            },
          };
        }
        return echoDetectors.createDetector!(s, o);
      },
    };
    const es = scoreEntity(spec, {}, { a: value([0], [0.5]), boom: value([0], [0.9]) }, opts);
    expect(es.signals.boom.state).toBe('error');
    expect(es.signals.boom.message).toMatch(/kaput/);
    expect(es.score[0]).toBeCloseTo(50, 10);
  });

  it('rejects an input of the wrong type for the kind', () => {
    const spec = withDefaults({ id: 'x', signals: [{ id: 'e', kind: 'ratio' }] });
    const es = scoreEntity(spec, {}, { e: value([0], [1]) });
    expect(es.signals.e.state).toBe('error');
    expect(es.signals.e.message).toMatch(/needs a 'ratio' input, got 'value'/);
  });

  it('context: multiplier on evidence, floor and suppression', () => {
    const spec = echoSpec(['a'], {
      context: [
        { id: 'vip', match: { model: '/fraud|credit/' }, multiplier: 2 },
        { id: 'regulated', match: { model: 'fraud' }, floor: 'review' },
        { id: 'maint', match: {}, suppress: [{ from: MIN, to: MIN }] },
      ],
    });
    const es = scoreEntity(spec, { model: 'fraud' }, { a: value([0, MIN, 2 * MIN], [0.5, 0.9, 0]) }, echoDetectors);
    expect(es.score[0]).toBeCloseTo(75, 10); // 1 - 0.5^2
    expect(tiersOf(es)).toEqual(['critical', 'ok', 'review']);
    expect(Array.from(es.suppressed)).toEqual([0, 1, 0]);
    expect(es.context.rules.map((r) => r.rule.id)).toEqual(['vip', 'regulated', 'maint']);
    const other = scoreEntity(spec, { model: 'churn' }, { a: value([0], [0.5]) }, echoDetectors);
    expect(other.score[0]).toBeCloseTo(50, 10);
    expect(other.context.rules.map((r) => r.rule.id)).toEqual(['maint']);
  });

  it('severity interval: Wilson at the support, full range without support', () => {
    const [lo, hi] = severityInterval(0.5, 100);
    expect(lo).toBeCloseTo(0.4038, 3);
    expect(hi).toBeCloseTo(0.5962, 3);
    expect(severityInterval(0.3, NaN)).toEqual([0.3, 0.3]);
    expect(severityInterval(0.3, 0)).toEqual([0, 1]);
    const [lo0, hi0] = severityInterval(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(3.8416 / 13.8416, 6);
  });

  it('events and ranking', () => {
    const spec = echoSpec(['a']);
    const hot = scoreEntity(spec, { model: 'hot' }, { a: value(steps(4), [0, 0.8, 0.8, 0.6]) }, echoDetectors);
    const warm = scoreEntity(spec, { model: 'warm' }, { a: value(steps(4), [0.9, 0.3, 0.3, 0.3]) }, echoDetectors);
    const cold = scoreEntity(spec, { model: 'cold' }, { a: value(steps(4), [0, 0, 0, 0]) }, echoDetectors);
    // 60 < 75 - 5: critical is left for review
    expect(hot.events).toEqual([
      { tier: 'critical', start: MIN, end: 3 * MIN, peakScore: 80, peakTime: MIN, from: 'ok' },
      { tier: 'review', start: 3 * MIN, end: null, peakScore: 60, peakTime: 3 * MIN, from: 'critical' },
    ]);
    const rows = rankEntities([cold, warm, hot]);
    expect(rows.map((r) => r.key)).toEqual(['{model="hot"}', '{model="warm"}', '{model="cold"}']);
    expect(rows[0]).toMatchObject({ tier: 'review', since: 3 * MIN, peakScore: 80, topContributor: { id: 'a' } });
    expect(rows[0].score).toBeCloseTo(60, 10);
    expect(rows[1]).toMatchObject({ tier: 'watch', peakScore: 90, peakTime: 0 });
    expect(rows[2].topContributor).toBeUndefined();
    expect(scoreEntities(spec, [{ labels: { model: 'x' }, inputs: {} }], echoDetectors)[0].t.length).toBe(0);
  });
});

describe('normalizeInput', () => {
  it('sorts, merges duplicates keeping the last, marks non-finite values and drops bad times', () => {
    const r = normalizeInput({ type: 'value', t: [3, 1, 2, 1, NaN, 5], value: [30, 10, 20, 11, 0, Infinity] });
    expect(r.error).toBeUndefined();
    const input = r.input as ValueInput;
    expect(Array.from(input.t)).toEqual([1, 2, 3, 5]);
    expect(Array.from(input.value)).toEqual([11, 20, 30, NaN]);
    expect(r.report).toEqual({
      received: 6,
      kept: 4,
      reordered: true,
      duplicates: 1,
      badTimestamps: 1,
      nonFinite: 1,
      late: 0,
    });
  });

  it('clean axes take the fast path: no copy unless ±Inf must become NaN, non-finite points counted once', () => {
    const num = Float64Array.from([1, Infinity, NaN]);
    const den = Float64Array.from([2, -Infinity, 4]);
    const r = normalizeInput({ type: 'ratio', t: Float64Array.from([1, 2, 3]), num, den });
    expect(r.report).toEqual({
      received: 3,
      kept: 3,
      reordered: false,
      duplicates: 0,
      badTimestamps: 0,
      nonFinite: 2,
      late: 0,
    });
    const out = r.input as { num: Float64Array; den: Float64Array };
    expect(Array.from(out.num)).toEqual([1, NaN, NaN]);
    expect(num[1]).toBe(Infinity); // the caller's array is untouched
    const clean = Float64Array.from([1, 2]);
    expect(
      (normalizeInput({ type: 'value', t: Float64Array.from([1, 2]), value: clean }).input as ValueInput).value
    ).toBe(clean);
  });

  it('explains malformed inputs instead of throwing', () => {
    expect(normalizeInput(null).error).toMatch(/must be an object/);
    expect(normalizeInput({ type: 'value', t: [1] }).error).toMatch(/input.value must be an array/);
    expect(normalizeInput({ type: 'gauge', t: [] }).error).toMatch(/input.type must be/);
    expect(normalizeInput({ type: 'buckets', t: [1], le: [2, 1], cumulative: [[1], [1]] }).error).toMatch(
      /strictly ascending/
    );
    expect(normalizeInput({ type: 'ratio', t: [1], num: [1], den: ['x'] }).input).toBeDefined();
    const cal = normalizeInput({
      type: 'calibration',
      t: [2, 1],
      le: [0.5, 1],
      total: [
        [1, 2],
        [3, 4],
      ],
      correct: [
        [0, 1],
        [1, 2],
      ],
    });
    expect(cal.input).toMatchObject({ type: 'calibration' });
    expect(Array.from((cal.input as { total: Float64Array[] }).total[0])).toEqual([2, 1]);
  });

  it('unionTimes merges sorted axes', () => {
    expect(Array.from(unionTimes([Float64Array.from([1, 3]), Float64Array.from([2, 3, 4])]))).toEqual([1, 2, 3, 4]);
  });
});

describe('incremental scoring', () => {
  it('drops and reports points at or before the last scored time', () => {
    const scorer = createEntityScorer(echoSpec(['a']), {}, echoDetectors);
    scorer.append({ a: value([0, MIN], [0.1, 0.2]) });
    const next = scorer.append({ a: value([MIN, 2 * MIN], [0.9, 0.3]) });
    expect(Array.from(next.t)).toEqual([2 * MIN]);
    expect(next.signals.a.input?.late).toBe(1);
    expect(next.errors.join()).toMatch(/1 point\(s\) at or before the last scored time were dropped/);
    expect(scorer.lastTime()).toBe(2 * MIN);
  });

  it('a series appended in chunks equals one batch (real detectors, end to end)', () => {
    const n = 40;
    const t = steps(n);
    const lat = t.map((_, i) => 100 + (i % 5) + (i > 25 ? 60 : 0));
    const inputs: SignalInputs = {
      latency: value(t, lat),
      shift: value(t, lat),
      errors: {
        type: 'ratio',
        t: Float64Array.from(t),
        num: Float64Array.from(t, (_, i) => (i > 30 ? 40 : 1)),
        den: new Float64Array(n).fill(100),
      },
      limit: value(t, lat),
    };
    const batch = scoreEntity(REAL_SPEC, { model: 'm' }, inputs);
    expect(batch.errors).toEqual([]);
    expect(Math.max(...batch.score)).toBeGreaterThan(75);
    const scorer = createEntityScorer(REAL_SPEC, { model: 'm' });
    const cuts = [0, 7, 8, 20, 33, n].map((k) => k * MIN);
    const chunks: EntityScore[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const part: SignalInputs = {};
      for (const [id, input] of Object.entries(inputs)) {
        part[id] = sliceInput(input!, cuts[k], cuts[k + 1]);
      }
      chunks.push(scorer.append(part));
    }
    expect(sameScores(batch, chunks)).toBe(true);
    expect(scorer.events()).toEqual(batch.events);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const valueArb = fc.oneof(
  { weight: 12, arbitrary: fc.double({ min: 0, max: 200, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e300, -5) }
);

/** Per-step rows for the four REAL_SPEC signals; a missing row leaves that signal without the point. */
const seriesArb = fc.array(
  fc.record({
    latency: fc.option(valueArb, { freq: 8 }),
    errors: fc.option(fc.tuple(fc.nat(50), fc.nat(200)), { freq: 8 }),
    limit: fc.option(valueArb, { freq: 8 }),
  }),
  { minLength: 0, maxLength: 45 }
);

function inputsFrom(
  rows: Array<{ latency: number | null; errors: [number, number] | null; limit: number | null }>
): SignalInputs {
  const pick = <T>(get: (r: (typeof rows)[number]) => T | null) => {
    const t: number[] = [];
    const v: T[] = [];
    rows.forEach((r, i) => {
      const x = get(r);
      if (x !== null) {
        t.push(i * MIN);
        v.push(x);
      }
    });
    return { t, v };
  };
  const lat = pick((r) => r.latency);
  const err = pick((r) => r.errors);
  const lim = pick((r) => r.limit);
  return {
    latency: value(lat.t, lat.v),
    shift: value(lat.t, lat.v),
    errors: {
      type: 'ratio',
      t: Float64Array.from(err.t),
      num: Float64Array.from(err.v, (x) => Math.min(x[0], x[1])),
      den: Float64Array.from(err.v, (x) => x[1]),
    },
    limit: value(lim.t, lim.v),
  };
}

describe('engine: properties', () => {
  it('incremental equals batch for any time-ordered chunking (real detectors)', () => {
    fc.assert(
      fc.property(seriesArb, fc.uniqueArray(fc.nat(45), { maxLength: 5 }), (rows, splitAt) => {
        const inputs = inputsFrom(rows);
        const batch = scoreEntity(REAL_SPEC, { model: 'm' }, inputs);
        const scorer = createEntityScorer(REAL_SPEC, { model: 'm' });
        const cuts = [0, ...splitAt.sort((a, b) => a - b).map((k) => k * MIN), Infinity];
        const chunks: EntityScore[] = [];
        for (let k = 0; k + 1 < cuts.length; k++) {
          const part: SignalInputs = {};
          for (const [id, input] of Object.entries(inputs)) {
            part[id] = sliceInput(input!, cuts[k], cuts[k + 1]);
          }
          chunks.push(scorer.append(part));
        }
        return sameScores(batch, chunks) && JSON.stringify(scorer.events()) === JSON.stringify(batch.events);
      }),
      { numRuns: 2000 }
    );
  });

  it('score in [0, 100], interval contains it, contributions sum to it, never throws', () => {
    fc.assert(
      fc.property(seriesArb, fc.boolean(), (rows, shuffle) => {
        const inputs = inputsFrom(rows);
        if (shuffle) {
          // unsorted timestamps with duplicates: normalisation must cope
          const lat = inputs.latency as ValueInput;
          inputs.latency = value(
            [...Array.from(lat.t).reverse(), ...Array.from(lat.t)],
            [...Array.from(lat.value).reverse(), ...Array.from(lat.value)]
          );
        }
        const es = scoreEntity(REAL_SPEC, { model: 'm' }, inputs);
        for (let i = 0; i < es.t.length; i++) {
          const s = es.score[i];
          if (
            !(s >= 0 && s <= 100) ||
            !(es.scoreLower[i] <= s && s <= es.scoreUpper[i]) ||
            es.scoreUpper[i] > 100 ||
            es.scoreLower[i] < 0
          ) {
            return false;
          }
          let sum = 0;
          for (const c of Object.values(es.contrib)) {
            sum += c[i];
          }
          if (Math.abs(sum - s) > 1e-9) {
            return false;
          }
        }
        return true;
      }),
      { numRuns: 2000 }
    );
  });

  it('the order of signals in the spec does not change any number', () => {
    fc.assert(
      fc.property(
        seriesArb.filter((r) => r.length > 0),
        (rows) => {
          const inputs = inputsFrom(rows);
          const reversed: ScoreSpec = { ...REAL_SPEC, signals: [...REAL_SPEC.signals].reverse() };
          const a = scoreEntity(REAL_SPEC, { model: 'm' }, inputs);
          const b = scoreEntity(reversed, { model: 'm' }, inputs);
          return (
            sameArray(a.score, b.score) &&
            sameArray(a.scoreUpper, b.scoreUpper) &&
            sameArray(a.tier, b.tier) &&
            Object.keys(a.contrib).every((id) => sameArray(a.contrib[id], b.contrib[id]))
          );
        }
      ),
      { numRuns: 1000 }
    );
  });

  it('garbage inputs never throw past scoreEntity / append', () => {
    const garbage = fc.oneof(
      fc.anything(),
      fc.record({
        type: fc.constantFrom('value', 'ratio', 'buckets', 'calibration', 'nope'),
        t: fc.array(fc.oneof(fc.double(), fc.anything()), { maxLength: 6 }),
        value: fc.array(fc.double(), { maxLength: 6 }),
      }),
      fc.record({
        type: fc.constant('ratio'),
        t: fc.array(fc.double(), { maxLength: 6 }),
        num: fc.array(fc.double(), { maxLength: 6 }),
        den: fc.array(fc.double(), { maxLength: 6 }),
      })
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('latency', 'shift', 'errors', 'limit', 'other'), garbage), (inputs) => {
        const es = scoreEntity(REAL_SPEC, { model: 'm' }, inputs as SignalInputs);
        const scorer = createEntityScorer(REAL_SPEC, { model: 'm' });
        scorer.append(inputs as SignalInputs);
        scorer.append(inputs as SignalInputs);
        return es.score.every((s) => s >= 0 && s <= 100);
      }),
      { numRuns: 2000 }
    );
  });
});

describe('observed values in explanations', () => {
  it('shows the lag for staleness (same units as expected and band) and does not widen the interval', () => {
    const spec = withDefaults({ id: 'lag', step: '1m', signals: [{ id: 'labels', kind: 'staleness', params: { warn: '2m', max: '5m' } }] });
    const t = Float64Array.from({ length: 10 }, (_, i) => 600_000 + i * 60_000);
    // The label timestamp (seconds) stops advancing after the 4th point.
    const value = Float64Array.from(t, (x, i) => Math.min(x, t[3]) / 1000);
    const es = scoreEntity(spec, {}, { labels: { type: 'value', t, value } }, { stepMs: 60_000 });
    const o = es.signals.labels;
    expect(Array.from(o.observed)).toEqual(Array.from(t, (x) => (x - Math.min(x, t[3])) / 1000));
    expect(o.result.expected[9]).toBe(0);
    // Staleness has no sample-based baseline: the score interval is the point itself.
    expect(es.scoreLower[9]).toBeCloseTo(es.score[9], 9);
    expect(es.scoreUpper[9]).toBeCloseTo(es.score[9], 9);
  });
});
