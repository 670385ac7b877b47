import type { ScoreSpecInput } from '../../../../scoring';
import { triageFrame } from '../../../../frames/contract';
import { scoreEntities } from '../../../../scoring';
import { dryRunStats, formatShare, NOISY_REVIEW_SHARE } from './dryRunStats';
import { scoredFrames, series } from './dryRunFixtures';

const N = 200;

/**
 * lat: severity 1 beyond 10 (any violation is full). err: weight 0.5, severity ramps from 0 at 10
 * to 1 at 20 (smoothstep), so a value of 15 is severity 0.5 and, alone, scores
 * 100 (1 - 0.5^0.5) = 29.3: at watch, not review. A value of 25 is severity 1: review.
 * Tiers without hysteresis or minimum duration, so the tier follows the cuts exactly.
 */
const spec = (extra: Partial<ScoreSpecInput> = {}): ScoreSpecInput => ({
  id: 'dry',
  entity: ['model'],
  step: '1m',
  signals: [
    { id: 'lat', name: 'p99 latency', kind: 'threshold', params: { above: 10 }, source: { queries: { value: 'lat' } } },
    { id: 'err', kind: 'threshold', weight: 0.5, params: { above: 10, soft: 10 }, source: { queries: { value: 'err' } } },
  ],
  tiers: { hysteresis: 0, minDuration: '0s' },
  ...extra,
});

/** Entity a: lat violated on steps 3..9 (7 steps); err missing on 0..3, at watch on 10 and 11, at review on 15. */
const entityA = {
  labels: { model: 'a' },
  values: {
    lat: series(N, 5, { 3: 20, 4: 20, 5: 20, 6: 20, 7: 20, 8: 20, 9: 20 }),
    err: series(N, 0, { 0: NaN, 1: NaN, 2: NaN, 3: NaN, 10: 15, 11: 15, 15: 25 }),
  },
};
/** Entity b: healthy lat, and no err series at all. */
const entityB = { labels: { model: 'b' }, values: { lat: series(N, 5) } };

describe('dryRunStats', () => {
  it('counts per signal, over every entity, the judged steps where that signal alone reaches watch and review', () => {
    const { spec: effective, frames } = scoredFrames(spec(), [entityA, entityB]);
    const stats = dryRunStats(effective, frames);
    expect(stats.entities).toBe(2);
    expect(stats.cuts).toEqual({ watch: 25, review: 50 });

    const [lat, err] = stats.signals;
    expect(lat).toMatchObject({ id: 'lat', name: 'p99 latency', kind: 'threshold', weight: 1 });
    expect(lat).toMatchObject({ steps: 2 * N, judged: 2 * N, atWatch: 7, atReview: 7, missingShare: 0, errors: [] });
    expect(lat.watchShare).toBeCloseTo(7 / (2 * N), 12);
    expect(lat.reviewShare).toBeCloseTo(7 / (2 * N), 12);

    // err's weight 0.5 keeps the two severity-0.5 steps below review; judged only where it had data.
    expect(err).toMatchObject({ id: 'err', weight: 0.5, steps: 2 * N, judged: N - 4, atWatch: 3, atReview: 1 });
    expect(err.watchShare).toBeCloseTo(3 / (N - 4), 12);
    expect(err.reviewShare).toBeCloseTo(1 / (N - 4), 12);
    expect(err.missingShare).toBeCloseTo((2 * N - (N - 4)) / (2 * N), 12);
  });

  it('flags a signal as noisy only above the review-share threshold', () => {
    const { spec: effective, frames } = scoredFrames(spec(), [entityA, entityB]);
    const [lat, err] = dryRunStats(effective, frames).signals;
    expect(lat.reviewShare).toBeGreaterThan(NOISY_REVIEW_SHARE);
    expect(lat.noisy).toBe(true);
    expect(err.reviewShare).toBeLessThan(NOISY_REVIEW_SHARE);
    expect(err.noisy).toBe(false);
  });

  it('counts the combined score on steps where any signal was judged, and the tier on every step', () => {
    const { spec: effective, frames } = scoredFrames(spec(), [entityA, entityB]);
    const { combined } = dryRunStats(effective, frames);
    // lat is judged on every step of both entities; its 7 and err's 3 watch steps do not overlap.
    expect(combined).toMatchObject({ steps: 2 * N, judged: 2 * N, atWatch: 10, atReview: 8, missingShare: 0 });
    expect(combined.watchShare).toBeCloseTo(10 / (2 * N), 12);
    expect(combined.reviewShare).toBeCloseTo(8 / (2 * N), 12);
    expect(combined.tierWatchShare).toBeCloseTo(10 / (2 * N), 12);
    expect(combined.tierReviewShare).toBeCloseTo(8 / (2 * N), 12);
  });

  it('applies the entity context multiplier as the engine does', () => {
    // Severity 0.5 at weight 0.5 is 29.3 alone; with evidence x3 it is 100 (1 - 0.5^1.5) = 64.6.
    const oneSignal = (extra: Partial<ScoreSpecInput>) =>
      spec({ signals: [spec().signals[1]], ...extra });
    const entities = ['a', 'b'].map((model) => ({ labels: { model }, values: { err: series(N, 0, { 50: 15 }) } }));
    const plain = scoredFrames(oneSignal({}), entities);
    expect(dryRunStats(plain.spec, plain.frames).signals[0]).toMatchObject({ atWatch: 2, atReview: 0 });

    const vip = scoredFrames(oneSignal({ context: [{ id: 'vip', match: { model: 'b' }, multiplier: 3 }] }), entities);
    const stats = dryRunStats(vip.spec, vip.frames);
    expect(stats.signals[0]).toMatchObject({ atWatch: 2, atReview: 1 });
    // With one signal, "alone" is the combined score itself.
    expect(stats.combined).toMatchObject({ atWatch: 2, atReview: 1 });
  });

  it('follows the spec composite method (max ignores the weight)', () => {
    const entities = [{ labels: { model: 'a' }, values: { err: series(N, 0, { 50: 15 }) } }];
    const { spec: effective, frames } = scoredFrames(spec({ signals: [spec().signals[1]], composite: { method: 'max' } }), entities);
    // max: score = 100 s = 50, at review.
    expect(dryRunStats(effective, frames).signals[0]).toMatchObject({ judged: N, atWatch: 1, atReview: 1 });
  });

  it('files errors under their signal, keeps the others general, and leaves failing signals missing', () => {
    const { spec: effective, frames } = scoredFrames(spec(), [entityB]);
    const stats = dryRunStats(effective, frames, [
      { refId: 'A', message: 'signal err: data source "Prom": timeout' },
      { refId: 'A', message: 'signal err: data source "Prom": timeout' },
      { refId: 'A', message: 'signal lat, entity {model="b"}: 3 late points dropped' },
      { refId: 'A', message: 'signal nope: not in this spec' },
      { refId: 'A', message: 'query A: something else' },
    ]);
    const [lat, err] = stats.signals;
    expect(err.errors).toEqual(['data source "Prom": timeout']);
    expect(err.missingShare).toBe(1);
    expect(err.watchShare).toBeNaN();
    expect(lat.errors).toEqual(['entity {model="b"}: 3 late points dropped']);
    // The other signal's figures are intact.
    expect(lat).toMatchObject({ judged: N, atWatch: 0 });
    expect(stats.errors).toEqual(['signal nope: not in this spec', 'query A: something else']);
  });

  it('reads per-signal error states from the frame meta', () => {
    const { spec: effective, frames } = scoredFrames(spec(), [entityB]);
    const custom = frames[0].meta!.custom as { signals: Array<{ id: string; state: string; message?: string }> };
    custom.signals = custom.signals.map((s) => (s.id === 'err' ? { ...s, state: 'error', message: 'upstream down' } : s));
    expect(dryRunStats(effective, frames).signals[1].errors).toEqual(['upstream down']);
  });

  it('ignores frames that are not entity frames and gives n/a shares when nothing was judged', () => {
    const { spec: effective } = scoredFrames(spec(), [entityB]);
    const stats = dryRunStats(effective, [triageFrame(scoreEntities(effective, []), effective, 'A')]);
    expect(stats.entities).toBe(0);
    expect(stats.signals.map((s) => [s.steps, s.watchShare])).toEqual([
      [0, NaN],
      [0, NaN],
    ]);
    expect(stats.combined.reviewShare).toBeNaN();
    expect(formatShare(stats.combined.reviewShare)).toBe('n/a');
  });
});

describe('formatShare', () => {
  it.each([
    [0, '0 %'],
    [0.0004, '0.04 %'],
    [0.000004, '0.0004 %'],
    [0.0123, '1.2 %'],
    [0.5, '50 %'],
    [1, '100 %'],
  ])('%p -> %p', (value, text) => {
    expect(formatShare(value)).toBe(text);
  });
});
