/** @jest-environment node */
import { combine } from '../composite';
import { tierConfigOf, withDefaults, type ScoreSpec, type ScoreSpecInput } from '../spec';
import { TierMachine } from '../tiers';
import { CONTEXT_FLOOR } from './attribution';
import { attributedBacktest, measureFixes, withSignalFields } from './attributionFixes';
import { backtest } from './backtest';
import type { CachedEntity, ScoreFrameLike } from './calibrate';
import { parseIncidentsJson } from './groundTruth';

const M = 60_000;
const N = 60;

/** Runs [a, b] (inclusive) at `value`, 0 elsewhere. */
function pulses(runs: Array<[number, number, number]>): Float64Array {
  const out = new Float64Array(N);
  for (const [a, b, v] of runs) {
    out.fill(v, a, b + 1);
  }
  return out;
}

function specWith(noise: Record<string, unknown>, extra: Partial<ScoreSpecInput> = {}): ScoreSpec {
  return withDefaults({
    id: 'fixes',
    version: 1,
    entity: ['model'],
    signals: [
      { id: 'latency', name: 'latency', kind: 'robust_z', params: { warn: 2, max: 5 } },
      { id: 'noise', name: 'mean prediction score', kind: 'level_shift', params: noise },
    ],
    ...extra,
  });
}

/** An entity scored the engine's way (composite with contributions, tier machine) from severities. */
function scored(spec: ScoreSpec, severities: Record<string, Float64Array>, model = 'm'): CachedEntity {
  const t = Float64Array.from({ length: N }, (_, i) => i * M);
  const c = combine(
    spec.signals.map((s) => ({ id: s.id, weight: s.weight, severity: severities[s.id] })),
    { method: spec.composite.method }
  );
  const tier = new TierMachine(tierConfigOf(spec)).run(t, c.score).tier;
  return { key: model, labels: { model }, t, score: c.score, tier, severities, contributions: c.contrib };
}

/** Incidents at 5..7 and 35..37 carried by latency (0.9); grace 2 min. */
const truth = parseIncidentsJson({
  incidents: [
    { id: 'i1', entity: { model: 'm' }, kind: 'latency', start: 5 * M, end: 7 * M },
    { id: 'i2', entity: { model: 'm' }, kind: 'latency', start: 35 * M, end: 37 * M },
  ],
});
const options = { stepMs: M, graceMs: 2 * M, tiers: ['review' as const] };
const latency = pulses([
  [5, 7, 0.9],
  [35, 37, 0.9],
]);

describe('measureFixes', () => {
  it('measures a raised warn that removes the false alarms and keeps every incident', () => {
    const spec = specWith({ warn: 2, max: 5 });
    // Noise alone at severity 0.6 (score 60: review) on 15..17 and 45..50: 9 false-alarm minutes.
    const e = scored(spec, {
      latency,
      noise: pulses([
        [15, 17, 0.6],
        [45, 50, 0.6],
      ]),
    });
    const report = backtest([e], truth, { ...options, signals: spec.signals });
    expect(report.tiers[0].false_alarm_minutes).toBe(9);
    const [noisy] = report.tiers[0].noisy;
    expect(noisy.signal).toBe('noise');
    // severity 0.6 -> u = 0.56706 -> x = 2 + 3u = 3.7012 -> warn 3.71 zeroes all of them.
    expect(noisy.suggestions[1]).toEqual(expect.objectContaining({ kind: 'raise_warn', to: 3.71, zeroed_share: 1 }));
    expect(noisy.suggestions[1].effect).toBeUndefined();

    const measured = measureFixes(report, spec, [e], truth, options);
    const warn = measured.tiers[0].noisy[0].suggestions[1];
    expect(warn.effect).toEqual({
      false_alarm_minutes_before: 9,
      false_alarm_minutes_after: 0,
      detected_before: 2,
      detected_after: 2,
      incidents: 2,
      estimate: false,
    });
    expect(measured.tiers[0].noisy[0].fix).toContain(
      'raise warn from 2 to 3.71: its severity would have been 0 on the steps carrying 100 % of its false-alarm minutes ' +
        '(measured on the backtest: false-alarm minutes 9 → 0 (−100 %), incidents detected 2 → 2 of 2)'
    );
    // The switch to rarity cannot be rescored from cached severities: left unmeasured.
    expect(measured.tiers[0].noisy[0].suggestions[0].effect).toBeUndefined();
    // The input report is not changed.
    expect(report.tiers[0].noisy[0].suggestions[1].effect).toBeUndefined();
  });

  it('says what a warn costs when every candidate loses an incident, and keeps the mildest', () => {
    const spec = specWith({ warn: 2, max: 5 });
    // Incident i2 is carried by the noisy signal alone, at severity 0.65 (x = 3.804).
    const noise = pulses([
      [15, 20, 0.6],
      [45, 48, 0.8],
      [35, 37, 0.65],
    ]);
    const lat = pulses([[5, 7, 0.9]]);
    const e = scored(spec, { latency: lat, noise });
    const report = backtest([e], truth, { ...options, signals: spec.signals });
    const noisy = report.tiers[0].noisy[0];
    // False-alarm severities: 6 minutes at 0.6, 4 at 0.8: 90 % and 75 % -> 0.8 (x 4.1386 -> 4.14), 50 % -> 0.6 (3.71).
    expect(noisy.suggestions[1].candidates?.map((c) => c.to)).toEqual([4.14, 3.71]);
    const measured = measureFixes(report, spec, [e], truth, options).tiers[0].noisy[0].suggestions[1];
    // Both raise warn past 3.804: i2 is lost either way; the mildest (3.71) is kept, with its cost.
    expect(measured.to).toBe(3.71);
    expect(measured.zeroed_share).toBeCloseTo(0.6, 12);
    expect(measured.effect).toEqual(
      expect.objectContaining({
        false_alarm_minutes_before: 10,
        false_alarm_minutes_after: 0,
        detected_before: 2,
        detected_after: 1,
      })
    );
    expect(measured.text).toMatch(/incidents detected 2 → 1 of 2, costs 1 detected incident\)$/);
  });

  it('estimates a raised rarity and measures a halved weight for a rarity signal', () => {
    const spec = specWith({ severity: 'rarity', rarity: '30d' });
    const e = scored(spec, {
      latency,
      noise: pulses([
        [15, 17, 0.6],
        [45, 50, 0.6],
      ]),
    });
    const report = backtest([e], truth, { ...options, signals: spec.signals });
    const measured = measureFixes(report, spec, [e], truth, options).tiers[0].noisy[0];
    expect(measured.severity_mode).toBe('rarity');
    const [rarity, weight] = measured.suggestions;
    // ×10: severity 0.6 -> smoothstep(0.56706 - 1/3) = 0.138 (score 13.8): no alert, incidents kept.
    expect([
      rarity.to,
      rarity.effect?.false_alarm_minutes_after,
      rarity.effect?.detected_after,
      rarity.effect?.estimate,
    ]).toEqual(['300d', 0, 2, true]);
    // Weight 0.5: evidence -0.5·ln(0.4) = 0.458 -> score 36.7 < 50: no alert.
    expect([weight.to, weight.effect?.false_alarm_minutes_after, weight.effect?.estimate]).toEqual([0.5, 0, false]);
    expect(measured.fix).toMatch(
      /^Raise rarity from 30d to 300d .* \(estimated on the backtest: false-alarm minutes 9 → 0/
    );
  });

  it('measures a raised threshold limit from the observed values', () => {
    const spec = withDefaults({
      id: 'slo',
      version: 1,
      entity: ['model'],
      signals: [
        { id: 'latency', kind: 'robust_z', params: { warn: 2, max: 5 } },
        { id: 'slo', kind: 'threshold', params: { above: 2.5, soft: 0 } },
      ],
    });
    const value = Float64Array.from({ length: N }, (_, i) => (i >= 20 && i <= 24 ? 2.8 : 2)); // 5 minutes above 2.5
    const slo = Float64Array.from(value, (x) => (x > 2.5 ? 1 : 0));
    const e = { ...scored(spec, { latency, slo }), statistics: { slo: value } };
    const report = backtest([e], truth, { ...options, signals: spec.signals });
    const noisy = report.tiers[0].noisy[0];
    expect(noisy.suggestions[0]).toEqual(expect.objectContaining({ kind: 'raise_limit', from: 2.5, to: 2.8 }));
    const measured = measureFixes(report, spec, [e], truth, options).tiers[0].noisy[0].suggestions[0];
    expect(measured.effect).toEqual(
      expect.objectContaining({ false_alarm_minutes_before: 5, false_alarm_minutes_after: 0, detected_after: 2 })
    );
  });
});

describe('withSignalFields and attributedBacktest', () => {
  const spec = specWith(
    { warn: 2, max: 5 },
    { context: [{ id: 'regulated', match: { model: 'r' }, floor: 'review' }] }
  );

  /** A frame as the data source returns it (only the fields read here). */
  function frame(e: CachedEntity): ScoreFrameLike {
    return {
      name: e.key,
      fields: [
        { name: 'Time', values: Array.from(e.t) },
        { name: 'score', values: Array.from(e.score) },
        { name: 'tier', values: Array.from(e.tier, (k) => ['ok', 'watch', 'review', 'critical'][k]) },
        ...Object.entries(e.contributions ?? {}).map(([id, c]) => ({ name: `contrib:${id}`, values: Array.from(c) })),
        { name: 'signal:noise', values: Array.from(e.t, (_, i) => i) },
      ],
    };
  }

  it('reads contributions and statistics from the frames and the floors from the context rules', () => {
    const e = scored(spec, { latency, noise: pulses([[15, 17, 0.6]]) });
    const bare: CachedEntity = {
      key: e.key,
      labels: e.labels,
      t: e.t,
      score: e.score,
      tier: e.tier,
      severities: e.severities,
    };
    const [withFields] = withSignalFields(spec, [bare], [frame(e)]);
    expect(Array.from(withFields.contributions!.noise)).toEqual(Array.from(e.contributions!.noise));
    expect(withFields.statistics!.noise[3]).toBe(3);
    expect(Array.from(withFields.floor!).every((k) => k === 0)).toBe(true); // rule does not match model m
    const [regulated] = withSignalFields(spec, [{ ...bare, key: 'r', labels: { model: 'r' } }], []);
    expect(regulated.contributions).toBeUndefined();
    expect(regulated.floor![0]).toBe(2);
  });

  it('attributes the floor of a regulated entity to the context floor, not to its signals', () => {
    // Tiers as the engine gives them with the floor: review everywhere on model r.
    const base = scored(spec, { latency: new Float64Array(N), noise: pulses([[15, 17, 0.2]]) }, 'r');
    const r: CachedEntity = { ...base, tier: new Uint8Array(N).fill(2) };
    const { report } = attributedBacktest(spec, [r], [frame(r)], parseIncidentsJson({ incidents: [] }), options);
    const rows = report.tiers[0].attribution.filter((a) => a.false_alarm_minutes > 0);
    expect(rows.map((a) => [a.signal, a.false_alarm_minutes])).toEqual([[CONTEXT_FLOOR, N]]);
    expect(report.tiers[0].noisy.map((n) => n.signal)).toEqual([CONTEXT_FLOOR]);
  });
});
