/** @jest-environment node */
import fc from 'fast-check';

import {
  assignTiers,
  DEFAULT_PLAYBOOK,
  playbookFor,
  rawTier,
  TierConfig,
  TierEventTracker,
  tierEvents,
  TierMachine,
  tierNames,
  tierSince,
  TIER_CRITICAL,
  TIER_OK,
  TIER_REVIEW,
  TIER_WATCH,
} from './tiers';

const CUTS = { watch: 25, review: 50, critical: 75 };
const NO_DELAY = { watch: 0, review: 0, critical: 0 };

function config(h = 5, minDurationMs = NO_DELAY): TierConfig {
  return { cuts: CUTS, hysteresis: h, minDurationMs };
}

function run(scores: number[], cfg = config(), step = 60_000) {
  const t = Float64Array.from(scores, (_, i) => i * step);
  return tierNames(assignTiers(t, Float64Array.from(scores), cfg).tier);
}

describe('tiers: known answers', () => {
  it('maps scores to the default bands without hysteresis', () => {
    expect(run([0, 24.9, 25, 49.9, 50, 74.9, 75, 100], config(0))).toEqual([
      'ok',
      'ok',
      'watch',
      'watch',
      'review',
      'review',
      'critical',
      'critical',
    ]);
    expect(rawTier(75, CUTS)).toBe(TIER_CRITICAL);
  });

  it('hysteresis: a tier is left only below its cut minus h', () => {
    // critical at 80; 72 stays (>= 70); 69 falls to review; 46 stays review (>= 45); 44 -> watch
    expect(run([80, 72, 69, 46, 44, 21, 19])).toEqual([
      'critical',
      'critical',
      'review',
      'review',
      'watch',
      'watch',
      'ok',
    ]);
  });

  it('a fall passes through the hysteresis bands of lower tiers', () => {
    // from critical straight to 47: below 70 but within review's band (>= 45): review
    expect(run([80, 47])).toEqual(['critical', 'review']);
    expect(run([80, 10])).toEqual(['critical', 'ok']);
  });

  it('minimum duration delays a rise until it persisted', () => {
    const cfg = config(5, { watch: 0, review: 0, critical: 120_000 });
    // above 75 at t = 0, 1m, 2m: confirmed at 2m (2m - 0 >= 2m); review meanwhile
    expect(run([80, 80, 80, 80], cfg)).toEqual(['review', 'review', 'critical', 'critical']);
    // interrupted run restarts the clock
    expect(run([80, 80, 60, 80, 80, 80], cfg)).toEqual(['review', 'review', 'review', 'review', 'review', 'critical']);
  });

  it('NaN scores hold the tier', () => {
    expect(run([60, NaN, NaN, 10])).toEqual(['review', 'review', 'review', 'ok']);
  });

  it('floors raise the tier, suppression caps it at ok without changing the state', () => {
    const t = Float64Array.from([0, 1, 2, 3]);
    const score = Float64Array.from([10, 80, 80, 80]);
    const floor = Uint8Array.from([TIER_REVIEW, TIER_REVIEW, TIER_REVIEW, TIER_REVIEW]);
    const suppressed = Uint8Array.from([0, 1, 1, 0]);
    const r = assignTiers(t, score, config(), { floor, suppressed });
    expect(tierNames(r.tier)).toEqual(['review', 'ok', 'ok', 'critical']);
    expect(tierNames(r.baseTier)).toEqual(['ok', 'critical', 'critical', 'critical']);
  });

  it('events: runs of non-ok tiers with start, exclusive end, peak and origin', () => {
    const t = Float64Array.from([0, 1, 2, 3, 4, 5]);
    const score = Float64Array.from([10, 30, 60, 55, 10, 30]);
    const tiers = assignTiers(t, score, config()).tier;
    expect(tierEvents(t, tiers, score)).toEqual([
      { tier: 'watch', start: 1, end: 2, peakScore: 30, peakTime: 1, from: 'ok' },
      { tier: 'review', start: 2, end: 4, peakScore: 60, peakTime: 2, from: 'watch' },
      { tier: 'watch', start: 5, end: null, peakScore: 30, peakTime: 5, from: 'ok' },
    ]);
    expect(tierSince(t, tiers, 3)).toBe(2);
  });

  it('playbook lookup with defaults', () => {
    expect(playbookFor('critical').action).toMatch(/contain/);
    expect(playbookFor(TIER_REVIEW).action).toBe('human review');
    expect(playbookFor('watch', { ...DEFAULT_PLAYBOOK, watch: { action: 'page', owner: 'ml-oncall' } }).owner).toBe(
      'ml-oncall'
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const scoreArb = fc.oneof(
  { weight: 10, arbitrary: fc.double({ min: 0, max: 100, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(NaN) }
);
const seriesArb = fc.array(scoreArb, { minLength: 0, maxLength: 60 });
const configArb = fc.record({
  h: fc.double({ min: 0, max: 20, noNaN: true }),
  md: fc.record({ watch: fc.nat(5), review: fc.nat(5), critical: fc.nat(5) }),
});

function cuts(points: number[], n: number): number[] {
  const c = [...new Set(points.map((p) => p % (n + 1)))].sort((a, b) => a - b);
  return [0, ...c, n];
}

describe('tiers: properties', () => {
  it('chunked streaming equals one batch (tiers and events)', () => {
    fc.assert(
      fc.property(seriesArb, configArb, fc.array(fc.nat(), { maxLength: 5 }), (scores, { h, md }, splits) => {
        const cfg = config(h, md);
        const t = Float64Array.from(scores, (_, i) => i);
        const s = Float64Array.from(scores);
        const batch = assignTiers(t, s, cfg);
        const machine = new TierMachine(cfg);
        const tracker = new TierEventTracker();
        const parts: number[] = [];
        const b = cuts(splits, scores.length);
        for (let k = 0; k + 1 < b.length; k++) {
          const tt = t.subarray(b[k], b[k + 1]);
          const ss = s.subarray(b[k], b[k + 1]);
          const r = machine.run(tt, ss);
          tracker.push(tt, r.tier, ss);
          parts.push(...r.tier);
        }
        return (
          parts.length === batch.tier.length &&
          parts.every((x, i) => x === batch.tier[i]) &&
          JSON.stringify(tracker.events()) === JSON.stringify(tierEvents(t, batch.tier, s))
        );
      }),
      { numRuns: 3000 }
    );
  });

  it('without delay, the tier is within one hysteresis band of the raw tier', () => {
    fc.assert(
      fc.property(seriesArb, fc.double({ min: 0, max: 20, noNaN: true }), (scores, h) => {
        const cfg = config(h);
        const t = Float64Array.from(scores, (_, i) => i);
        const tiers = assignTiers(t, Float64Array.from(scores), cfg).tier;
        let last = TIER_OK;
        return scores.every((s, i) => {
          if (Number.isNaN(s)) {
            return tiers[i] === last;
          }
          last = tiers[i];
          // never below the raw tier, and never above the tier of (score + h)
          return tiers[i] >= rawTier(s, CUTS) && tiers[i] <= rawTier(s + h, CUTS);
        });
      }),
      { numRuns: 3000 }
    );
  });

  it('a higher minimum duration never raises the tier earlier', () => {
    fc.assert(
      fc.property(seriesArb, fc.nat(4), (scores, extra) => {
        const t = Float64Array.from(scores, (_, i) => i);
        const s = Float64Array.from(scores);
        const fast = assignTiers(t, s, config(0)).tier;
        const slow = assignTiers(t, s, config(0, { watch: extra, review: extra, critical: extra })).tier;
        // with h = 0 the fall is immediate, so the delayed machine is never above the prompt one
        return slow.every((x, i) => x <= fast[i]);
      }),
      { numRuns: 3000 }
    );
  });

  it('floor and suppression: tier >= floor unless suppressed, ok when suppressed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(scoreArb, fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 40 }),
        (rows) => {
          const t = Float64Array.from(rows, (_, i) => i);
          const r = assignTiers(
            t,
            Float64Array.from(rows, (x) => x[0]),
            config(),
            {
              floor: Uint8Array.from(rows, (x) => x[1]),
              suppressed: Uint8Array.from(rows, (x) => (x[2] ? 1 : 0)),
            }
          );
          return rows.every(([, floor, sup], i) =>
            sup ? r.tier[i] === TIER_OK : r.tier[i] >= floor && r.tier[i] >= r.baseTier[i]
          );
        }
      ),
      { numRuns: 2000 }
    );
  });
});

it('tier constants line up with TIERS', () => {
  expect([TIER_OK, TIER_WATCH, TIER_REVIEW, TIER_CRITICAL]).toEqual([0, 1, 2, 3]);
});

describe('TierEventTracker.eventsBetween', () => {
  it('equals filtering all events by overlap, for any tiers and window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 90 }),
        fc.integer({ min: 0, max: 90 }),
        (tiers, a, b) => {
          const tracker = new TierEventTracker();
          const t = Float64Array.from(tiers, (_, i) => i * 10);
          tracker.push(t, Uint8Array.from(tiers), Float64Array.from(tiers, (k) => k * 25));
          const [from, to] = [Math.min(a, b) * 10, Math.max(a, b) * 10];
          const naive = tracker.events().filter((e) => e.start <= to && (e.end === null || e.end > from));
          expect(tracker.eventsBetween(from, to)).toEqual(naive);
        }
      ),
      { numRuns: 2000 }
    );
  });
});
