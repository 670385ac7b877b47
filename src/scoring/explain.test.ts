/** @jest-environment node */
import fc from 'fast-check';

import { combine } from './composite';
import { scoreEntity, ScoreOptions } from './engine';
import { explainPoint, formatExplanation, formatScore, inverseSmoothstep, severityBound } from './explain';
import { ScoreSpec, withDefaults } from './spec';
import { rampSeverity } from './signals/common';
import { CompositeMethod, Detector, DetectorResult, POINT_MISSING, POINT_OK, SignalInput, ValueInput } from './types';

/** severity = value; expected 10, band 5..15, statistic = 10 * value, support 50. */
const echo: ScoreOptions = {
  createDetector: (): Detector => ({
    kind: 'robust_z',
    process(chunk: SignalInput): DetectorResult {
      const v = (chunk as ValueInput).value;
      const n = v.length;
      return {
        t: Float64Array.from(chunk.t),
        statistic: Float64Array.from(v, (x) => 10 * x),
        severity: Float64Array.from(v),
        expected: new Float64Array(n).fill(10),
        lower: new Float64Array(n).fill(5),
        upper: new Float64Array(n).fill(15),
        support: new Float64Array(n).fill(50),
        status: Uint8Array.from(v, (x) => (Number.isNaN(x) ? POINT_MISSING : POINT_OK)),
      };
    },
  }),
};

function spec(
  method: CompositeMethod = 'evidence',
  extra: Partial<Parameters<typeof withDefaults>[0]> = {}
): ScoreSpec {
  return withDefaults({
    id: 'fraud',
    entity: ['model'],
    composite: { method },
    signals: [
      { id: 'latency', name: 'p99 latency', kind: 'robust_z', params: { warn: 2, max: 5 } },
      { id: 'errors', kind: 'robust_z', direction: 'up', params: { warn: 2, max: 5 } },
      { id: 'drift', kind: 'robust_z' },
    ],
    tiers: { playbook: { critical: { action: 'roll back', owner: 'ml-oncall', runbook: 'https://runbooks/fraud' } } },
    ...extra,
  });
}

function one(values: Record<string, number>, s = spec()) {
  const inputs = Object.fromEntries(
    Object.entries(values).map(([id, v]) => [
      id,
      { type: 'value' as const, t: Float64Array.from([0]), value: Float64Array.from([v]) },
    ])
  );
  return scoreEntity(s, { model: 'fraud' }, inputs, echo);
}

describe('explainPoint', () => {
  it('score with interval, tier, action, sorted contributions, signals, missing', () => {
    const sp = spec();
    const es = one({ latency: 0.75, errors: 0.5 }, sp);
    const ex = explainPoint(es, 0, sp);
    expect(ex.score).toBeCloseTo(87.5, 10);
    expect(ex.scoreText).toBe(formatScore(ex.score, ex.scoreLower, ex.scoreUpper));
    expect(ex.scoreText).toMatch(/^88 \(\d+–\d+\)$/);
    expect(ex.scoreLower).toBeLessThan(ex.score);
    expect(ex.tier).toBe('critical');
    expect(ex.action).toEqual({ action: 'roll back', owner: 'ml-oncall', runbook: 'https://runbooks/fraud' });
    expect(ex.contributions.map((c) => c.id)).toEqual(['latency', 'errors', 'drift']);
    expect(ex.contributions[0].contribution).toBeCloseTo((2 * 87.5) / 3, 10);
    expect(ex.contributions[2]).toMatchObject({ contribution: 0, status: 'missing' });
    expect(ex.signals[0]).toMatchObject({
      name: 'p99 latency',
      observed: 0.75,
      expected: 10,
      lower: 5,
      upper: 15,
      statistic: 7.5,
      status: 'ok',
    });
    expect(ex.notJudged).toEqual(['drift']);
  });

  it('what would change the tier (evidence): solved exactly, with the statistic bound', () => {
    const sp = spec();
    const ex = explainPoint(one({ latency: 0.5, errors: 0.5 }, sp), 0, sp);
    expect(ex.tier).toBe('critical');
    const w = ex.whatWouldChange!;
    expect(w.scoreBelow).toBe(70);
    expect(w.toTier).toBe('review');
    // (1 - s)(1 - 0.5) = 0.3  =>  s = 0.4
    const lat = w.lines.find((l) => l.id === 'latency')!;
    expect(lat.severityBelow).toBeCloseTo(0.4, 12);
    const z = 2 + 3 * inverseSmoothstep(0.4);
    expect(lat.statistic!.bound).toBeCloseTo(z, 12);
    expect(rampSeverity(z, 2, 5)).toBeCloseTo(0.4, 12);
    expect(lat.statistic!.text).toBe('|z| < 3.3');
    expect(lat.text).toBe('review if p99 latency |z| < 3.3 (others unchanged)');
    expect(w.lines.find((l) => l.id === 'errors')!.statistic!.text).toBe('z < 3.3');
  });

  it('a signal that cannot lower the tier alone says so', () => {
    const sp = spec();
    const ex = explainPoint(one({ latency: 0.2, errors: 0.95 }, sp), 0, sp);
    const lat = ex.whatWouldChange!.lines.find((l) => l.id === 'latency')!;
    expect(lat.achievable).toBe(false);
    expect(lat.text).toMatch(/alone cannot/);
  });

  it('weighted mean and max bounds', () => {
    const wm = spec('weighted_mean');
    // drift missing: mean of 0.8, 0.4 = 60 (review); below 45 needs (s + 0.4)/2 < 0.45
    const exWm = explainPoint(one({ latency: 0.8, errors: 0.4 }, wm), 0, wm);
    expect(exWm.tier).toBe('review');
    expect(exWm.whatWouldChange!.lines[0]).toMatchObject({ id: 'latency' });
    expect(exWm.whatWouldChange!.lines[0].severityBelow).toBeCloseTo(0.5, 12);
    const mx = spec('max');
    const exMax = explainPoint(one({ latency: 0.8, errors: 0.3 }, mx), 0, mx);
    expect(exMax.whatWouldChange!.lines).toHaveLength(1);
    expect(exMax.whatWouldChange!.lines[0].severityBelow).toBeCloseTo(0.7, 12);
  });

  it('context shows up: floors hold the tier, suppression explains itself', () => {
    const sp = spec('evidence', {
      context: [
        { id: 'regulated', match: { model: 'fraud' }, floor: 'review', description: 'regulated model' },
        { id: 'maint', match: {}, suppress: [{ from: 100, to: 200 }] },
      ],
    });
    const held = explainPoint(one({ latency: 0.1 }, sp), 0, sp);
    expect(held.tier).toBe('review');
    expect(held.baseTier).toBe('ok');
    expect(held.context.map((c) => c.ruleId)).toEqual(['regulated']);
    expect(held.whatWouldChange!.note).toMatch(/held at review by context floor \(regulated\)/);
    const es = scoreEntity(
      sp,
      { model: 'fraud' },
      { latency: { type: 'value', t: Float64Array.from([150]), value: Float64Array.from([0.99]) } },
      echo
    );
    const sup = explainPoint(es, 0, sp);
    expect(sup.tier).toBe('ok');
    expect(sup.suppressed).toBe(true);
    expect(sup.whatWouldChange!.note).toMatch(/suppressed by context rule maint/);
    const text = formatExplanation(sup);
    expect(text).toContain('(suppressed)');
    expect(text).toContain('maint: suppressed');
  });

  it('plain text lists score, action, contributions, signals and the change', () => {
    const sp = spec();
    const text = formatExplanation(explainPoint(one({ latency: 0.5, errors: 0.5 }, sp), 0, sp));
    expect(text).toContain('{model="fraud"} at 1970-01-01T00:00:00.000Z');
    expect(text).toMatch(
      /Score 75 \(\d+–\d+\): critical — action: roll back \(owner ml-oncall; runbook https:\/\/runbooks\/fraud\)/
    );
    expect(text).toContain('p99 latency');
    expect(text).toContain('What would change the tier: score below 70 -> review');
    expect(text).toContain('review if p99 latency |z| < 3.3 (others unchanged)');
  });
});

describe('explain: properties', () => {
  it('severityBound is exact: just below it the score leaves the tier, just above it does not', () => {
    const method = fc.constantFrom<CompositeMethod>('evidence', 'weighted_mean', 'max');
    fc.assert(
      fc.property(
        method,
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true })),
          { minLength: 1, maxLength: 5 }
        ),
        fc.nat(),
        fc.double({ min: 5, max: 95, noNaN: true }),
        fc.double({ min: 0.25, max: 4, noNaN: true }),
        (m, rows, pick, target, mult) => {
          const k = pick % rows.length;
          const severities = rows.map((r) => r[0]);
          const weights = rows.map((r) => ({ weight: r[1] }));
          const bound = severityBound(m, weights, severities, k, target, mult);
          const scoreWith = (s: number) =>
            combine(
              rows.map((r, j) => ({ id: `s${j}`, weight: r[1], severity: Float64Array.of(j === k ? s : r[0]) })),
              { method: m, multiplier: mult }
            ).score[0];
          if (Number.isNaN(bound)) {
            return scoreWith(0) >= target - 1e-9; // even severity 0 does not get below
          }
          const eps = 1e-7;
          const below = scoreWith(Math.max(0, bound - eps)) < target + 1e-9;
          const above = bound + eps >= 1 || scoreWith(bound + eps) >= target - 1e-9;
          return below && above;
        }
      ),
      { numRuns: 3000 }
    );
  });

  it('inverseSmoothstep inverts the ramp', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        (s) => Math.abs(rampSeverity(2 + 3 * inverseSmoothstep(s), 2, 5) - s) < 1e-9
      ),
      { numRuns: 2000 }
    );
  });

  it('explainPoint never throws and contributions sum to the score', () => {
    const sp = spec();
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: NaN }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: -3, max: 3 }),
        ([a, b, c], idx) => {
          const ex = explainPoint(one({ latency: a, errors: b, drift: c }, sp), idx, sp);
          const sum = ex.contributions.reduce((acc, x) => acc + x.contribution, 0);
          return Math.abs(sum - ex.score) < 1e-9 && formatExplanation(ex).length > 0;
        }
      ),
      { numRuns: 2000 }
    );
  });
});

describe('explanations of rarity signals (the real detector)', () => {
  it('say how rare the statistic is in words, and the tier change as a return period', () => {
    const n = 7 * 1440;
    const t = Float64Array.from({ length: n + 1 }, (_, i) => 1_700_000_000_000 + i * 60_000);
    // A smooth, bounded series whose |z| is never extreme, then a jump.
    const value = Float64Array.from({ length: n + 1 }, (_, i) => (i === n ? 200 : 100 + 3 * Math.sin(i / 7)));
    const s = withDefaults({
      id: 'rare',
      entity: ['model'],
      step: '1m',
      signals: [{ id: 'latency', name: 'latency', kind: 'robust_z', direction: 'up' }],
    });
    const es = scoreEntity(s, { model: 'm' }, { latency: { type: 'value', t, value } });
    const ex = explainPoint(es, n, s);
    expect(ex.tier).toBe('critical');
    expect(ex.signals[0].rarity).toMatch(
      /^rarer than 1 in [\d,]+ five-minute spans of its history \(about once in [\d.]+ years; judged on the last 7 days\)$/
    );
    expect(ex.whatWouldChange!.lines[0].text).toMatch(
      /^review if latency is no rarer than once in [\d.]+ (days|years) of its history \(others unchanged\)$/
    );
    expect(formatExplanation(ex)).toContain('rarer than 1 in');
    // A quiet point says how common it is.
    expect(explainPoint(es, n - 1, s).signals[0].rarity).toMatch(/^no rarer than/);
  });
});
