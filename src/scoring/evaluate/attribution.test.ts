/** @jest-environment node */
import { rampSeverity } from '../signals';
import {
  AlertTimeTally,
  CONTEXT_FLOOR,
  NO_SIGNAL_FIELDS,
  StepAttributor,
  attributionLine,
  formatDurationMs,
  inverseSmoothstep,
  minutesText,
  rampSeverityWithWarn,
  raritySeverityWithFactor,
  roundSignificant,
  severityModeOf,
  shareText,
  summariseTally,
  weightedQuantile,
  type SignalInfo,
} from './attribution';
import { backtest, backtestToJson, backtestToMarkdown, type ScoredSeries } from './backtest';
import { parseIncidentsJson } from './groundTruth';

const M = 60_000;
const smoothstep = (u: number) => u * u * (3 - 2 * u);

/**
 * One entity, 1-minute steps, incident at minutes 2..3 with 1 minute of grace: window [2, 4).
 * Alert steps (tier review) and contributions of signals a and b:
 *   step 1  a 30, b 30        outside  -> a 0.5, b 0.5
 *   step 2  a 60, b 0         inside   -> a 1
 *   step 3  a 40, b 20        inside   -> a 2/3, b 1/3
 *   step 4  a 0,  b 55        outside  -> b 1          (4 = end + grace: outside, half-open)
 *   step 5  a 10, b NaN       outside  -> a 1          (NaN = missing: carries nothing)
 *   step 8  a 0,  b 0         outside  -> context floor (score 0 at an alert tier)
 */
const N = 10;
const TIER = [0, 2, 2, 2, 2, 2, 0, 0, 2, 0];
const A = [0, 30, 60, 40, 0, 10, 0, 0, 0, 0];
const B = [0, 30, 0, 20, 55, NaN, 0, 0, 0, 0];
const SEV_B = [0, 0.3, 0, 0.2, 0.8, NaN, 0, 0, 0, 0];
const truth = parseIncidentsJson({
  incidents: [{ id: 'i1', entity: { model: 'm' }, kind: 'k', start: 2 * M, end: 3 * M }],
});
const signals: SignalInfo[] = [
  { id: 'a', name: 'signal a', kind: 'robust_z', weight: 1, params: { warn: 2, max: 5 } },
  { id: 'b', name: 'mean prediction score', kind: 'level_shift', weight: 0.3, params: { warn: 2, max: 5 } },
];

function entity(extra: Partial<ScoredSeries> = {}): ScoredSeries {
  return {
    key: 'm',
    labels: { model: 'm' },
    t: Float64Array.from({ length: N }, (_, i) => i * M),
    score: Float64Array.from(A, (a, i) => a + (Number.isNaN(B[i]) ? 0 : B[i])),
    tier: Uint8Array.from(TIER),
    contributions: { a: Float64Array.from(A), b: Float64Array.from(B) },
    severities: { a: Float64Array.from(A, (x) => x / 100), b: Float64Array.from(SEV_B) },
    ...extra,
  };
}

const review = (s: ScoredSeries, minFalseAlarmMinutes?: number) =>
  backtest([s], truth, {
    stepMs: M,
    graceMs: M,
    tiers: ['review'],
    signals,
    ...(minFalseAlarmMinutes !== undefined ? { attribution: { minFalseAlarmMinutes } } : {}),
  }).tiers[0];

describe('alert time attributed to signals in the backtest', () => {
  it('splits each alert step by contribution share, inside and outside the incident window', () => {
    const r = review(entity());
    expect(r.false_alarm_minutes).toBe(4);
    expect(r.true_alert_minutes).toBe(2);
    const row = (id: string) => r.attribution.find((x) => x.signal === id)!;
    expect(row('a').false_alarm_minutes).toBeCloseTo(1.5, 12);
    expect(row('a').true_alert_minutes).toBeCloseTo(1 + 2 / 3, 12);
    expect(row('b').false_alarm_minutes).toBeCloseTo(1.5, 12);
    expect(row('b').true_alert_minutes).toBeCloseTo(1 / 3, 12);
    expect(row(CONTEXT_FLOOR)).toEqual(
      expect.objectContaining({
        name: 'context floor',
        false_alarm_minutes: 1,
        true_alert_minutes: 0,
        false_alarm_share: 0.25,
      })
    );
    expect(row('a').false_alarm_share).toBeCloseTo(1.5 / 4, 12);
    expect(row('b').own_false_share).toBeCloseTo(1.5 / (1.5 + 1 / 3), 12);
    expect(row('a').own_false_share).toBeCloseTo(1.5 / (1.5 + 5 / 3), 12);
    expect(row('a').true_alert_share).toBeCloseTo(5 / 6, 12);
    // Shares of all false-alarm minutes add up to 1.
    expect(r.attribution.reduce((acc, x) => acc + x.false_alarm_minutes, 0)).toBeCloseTo(r.false_alarm_minutes, 12);
    // Most false-alarm minutes first; ties by in-incident minutes.
    expect(r.attribution.map((x) => x.signal)).toEqual(['a', 'b', CONTEXT_FLOOR]);
  });

  it('flags a signal noisy only with >= 25 % of the false-alarm minutes, mostly false and enough of them', () => {
    // Default minimum: 5 steps of false-alarm time; b carries 1.5 minutes.
    expect(review(entity()).noisy).toEqual([]);
    const r = review(entity(), 1);
    // a: 37.5 % of the false-alarm minutes but 47 % of its own alert time false: doing its job.
    // b: 37.5 % and 82 % false: noisy. Context floor: 25 % and all false: noisy too.
    expect(r.noisy.map((n) => n.signal)).toEqual(['b', CONTEXT_FLOOR]);
    expect(r.attribution.filter((x) => x.noisy).map((x) => x.signal)).toEqual(['b', CONTEXT_FLOOR]);
    expect(r.noisy[1].fix).toMatch(/narrow the rule's match or lower its floor/);
  });

  it('gives a ramp signal the switch to rarity and the warn that zeroes its false-alarm severities', () => {
    const b = review(entity(), 1).noisy[0];
    expect(b.severity_mode).toBe('ramp');
    expect(b.suggestions.map((s) => s.kind)).toEqual(['use_rarity', 'raise_warn']);
    // b's false-alarm steps: severity 0.3 (0.5 min) and 0.8 (1 min). The 90 % weighted quantile is
    // 0.8, i.e. x = warn + (max - warn)·u with u²(3 - 2u) = 0.8: 2 + 3·0.71286 = 4.1386 -> 4.14.
    const warn = b.suggestions[1];
    expect(warn.path).toBe('signals.b.params.warn');
    expect(warn.to).toBe(4.14);
    expect(warn.zeroed_share).toBe(1);
    expect(rampSeverity(4.1386, 2, 5)).toBeCloseTo(0.8, 3);
    expect(b.fix).toBe(
      'Remove warn/max (or set severity: rarity) so it calibrates to its own history; or raise warn from 2 to 4.14: ' +
        'its severity would have been 0 on the steps carrying 100 % of its false-alarm minutes.'
    );
  });

  it('credits a context floor with the steps it holds at the tier, whatever the signals carry', () => {
    const floor = Uint8Array.from({ length: N }, (_, i) => (i === 1 ? 2 : 0));
    const r = review(entity({ floor }));
    const row = (id: string) => r.attribution.find((x) => x.signal === id)!;
    expect(row(CONTEXT_FLOOR).false_alarm_minutes).toBe(2); // step 1 (floored) and step 8 (score 0)
    expect(row('a').false_alarm_minutes).toBeCloseTo(1, 12);
    expect(row('b').false_alarm_minutes).toBeCloseTo(1, 12);
  });

  it('puts series without per-signal fields in their own bucket, never noisy', () => {
    const r = review(entity({ contributions: undefined }), 1);
    expect(r.attribution.find((x) => x.signal === NO_SIGNAL_FIELDS)).toEqual(
      expect.objectContaining({ false_alarm_minutes: 4, true_alert_minutes: 2, noisy: false })
    );
    // The spec's signals are still listed, with nothing attributed.
    expect(r.attribution.find((x) => x.signal === 'a')?.false_alarm_minutes).toBe(0);
    expect(r.noisy).toEqual([]);
  });

  it('reports no false-alarm time with NaN shares and no noisy signal', () => {
    const quiet = entity({ tier: Uint8Array.from(TIER, (k, i) => (i === 2 || i === 3 ? k : 0)) });
    const r = review(quiet, 0);
    expect(r.false_alarm_minutes).toBe(0);
    expect(r.true_alert_minutes).toBe(2);
    const a = r.attribution.find((x) => x.signal === 'a')!;
    expect(a.false_alarm_share).toBeNaN();
    expect(a.own_false_share).toBe(0);
    expect(r.noisy).toEqual([]);
  });

  it('keeps the JSON tier keys and adds attribution and noisy; the Markdown prints the lines', () => {
    const report = backtest([entity()], truth, {
      stepMs: M,
      graceMs: M,
      signals,
      attribution: { minFalseAlarmMinutes: 1 },
    });
    const json = backtestToJson(report) as { tiers: Array<Record<string, unknown>> };
    for (const key of [
      'tier',
      'precision',
      'recall',
      'median_ttd_steps',
      'alerts',
      'benign_escalations',
      'attribution',
      'noisy',
    ]) {
      expect(json.tiers[1]).toHaveProperty(key);
    }
    expect(JSON.stringify(json)).not.toContain('NaN');
    const md = backtestToMarkdown(report);
    expect(md).toContain(
      '- mean prediction score: 38 % of false-alarm minutes (1.5 min; 82 % of its own alert time was false'
    );
    expect(md).toContain('Noisy: **mean prediction score** carries 38 % of the false-alarm minutes at ≥ review');
    expect(md).toContain('| context floor | - | 1 | 25 % | 0 | 0 % | 100 % | noisy |');
  });
});

describe('StepAttributor and AlertTimeTally', () => {
  it('sums shares to 1 and skips non-positive and NaN contributions', () => {
    const at = new StepAttributor({ contributions: { x: [3, 0], y: [1, NaN], z: [-1, 0] } });
    const seen: Array<[string, number]> = [];
    at.attribute(0, 2, (b, s) => seen.push([b, s]));
    expect(seen).toEqual([
      ['x', 0.75],
      ['y', 0.25],
    ]);
    seen.length = 0;
    at.attribute(1, 2, (b, s) => seen.push([b, s]));
    expect(seen).toEqual([[CONTEXT_FLOOR, 1]]);
  });

  it('summarises a tally without signals info using the ids', () => {
    const tally = new AlertTimeTally();
    const fields = { contributions: { x: [10], y: [40] } };
    const at = new StepAttributor(fields);
    tally.add(at, fields, 0, 1, 2, 'false_alarm');
    const s = summariseTally(tally, 2, { minFalseAlarmMinutes: 0 });
    expect(s.attribution.map((r) => [r.signal, r.false_alarm_minutes])).toEqual([
      ['y', 1.6],
      ['x', 0.4],
    ]);
    // y: 80 % of the false-alarm minutes, all false; x: 20 %, below 25 %. No kind known: the weight.
    expect(s.noisy.map((n) => [n.signal, n.fix])).toEqual([['y', 'Lower its weight.']]);
    expect(attributionLine(s.attribution[0])).toBe(
      'y: 80 % of false-alarm minutes (1.6 min; 100 % of its own alert time was false; – of in-incident alert minutes)'
    );
  });
});

describe('fixes by kind', () => {
  /** One false-alarm step per severity / statistic, 1 minute each, all carried by signal s. */
  function noisyFix(signal: SignalInfo, severities: number[], statistics: number[] = severities.map(() => NaN)) {
    const tally = new AlertTimeTally();
    severities.forEach((sev, i) => {
      const fields = {
        contributions: { [signal.id]: [50] },
        severities: { [signal.id]: [sev] },
        statistics: { [signal.id]: [statistics[i]] },
      };
      tally.add(new StepAttributor(fields), fields, 0, 2, 1, 'false_alarm');
    });
    return summariseTally(tally, 1, { signals: [signal] }).noisy[0];
  }

  it('rarity (the default): raise rarity ×3 or halve the weight', () => {
    const n = noisyFix(
      { id: 'lat', name: 'p99 latency', kind: 'robust_z', weight: 1, params: { rarity: '30d', warn: null, max: null } },
      [0.6, 0.6, 0.6, 0.6, 0.6]
    );
    expect(n.severity_mode).toBe('rarity');
    expect(n.suggestions.map((s) => [s.kind, s.from, s.to])).toEqual([
      ['raise_rarity', '30d', '90d'],
      ['lower_weight', 1, 0.5],
    ]);
    expect(n.suggestions[0].candidates?.map((c) => c.to)).toEqual(['300d', '90d']);
    expect(n.fix).toBe(
      'Raise rarity from 30d to 90d (severity 0.5 = a value this extreme about once per 90d of its own history); or lower its weight from 1 to 0.5.'
    );
  });

  it('threshold: raise the limit to where its false alarms stayed within it', () => {
    // Observed values 2.6, 2.7, 2.8, 2.9, 3.3 above the limit 2.5: the 90 % weighted quantile is 3.3.
    const n = noisyFix(
      { id: 'slo', kind: 'threshold', weight: 0.5, params: { above: 2.5, below: null, soft: 0.5 } },
      [0.1, 0.3, 0.5, 0.7, 1],
      [2.6, 2.7, 2.8, 2.9, 3.3]
    );
    expect(n.severity_mode).toBe('threshold');
    const limit = n.suggestions[0];
    expect([limit.kind, limit.from, limit.to, limit.zeroed_share]).toEqual(['raise_limit', 2.5, 3.3, 1]);
    // 75 % -> 2.9 (4 of 5 minutes), 50 % -> 2.8 (3 of 5).
    expect(limit.candidates?.map((c) => [c.to, c.zeroed_share])).toEqual([
      [3.3, 1],
      [2.9, 0.8],
      [2.8, 0.6],
    ]);
    expect(n.fix).toMatch(
      /^Raise the limit above from 2.5 to 3.3: the value stayed within it on the steps carrying 100 % of its false-alarm minutes; or lower its weight from 0.5 to 0.25\.$/
    );
  });

  it('ramp with a duration warn (staleness): the new warn as a duration', () => {
    // warn 2m = 120 s, max 5m = 300 s; severity 0.5 -> u 0.5 -> 210 s = 3m30s.
    const n = noisyFix(
      { id: 'lag', kind: 'staleness', weight: 1, params: { warn: '2m', max: '5m' } },
      [0.5, 0.5, 0.5, 0.5, 0.5]
    );
    expect(n.suggestions[1]).toEqual(
      expect.objectContaining({ kind: 'raise_warn', from: '2m', to: '3m30s', zeroed_share: 1 })
    );
  });

  it('ramp whose false alarms are all at full severity: no warn below max helps, the weight does', () => {
    const n = noisyFix(
      { id: 'z', kind: 'robust_z', weight: 2, params: { severity: 'ramp', warn: 3, max: 7 } },
      [1, 1, 1, 1, 1]
    );
    expect(n.suggestions.map((s) => s.kind)).toEqual(['use_rarity', 'lower_weight']);
    expect(n.suggestions[1].to).toBe(1);
    expect(n.fix).toBe(
      'Set severity: rarity and remove warn/max so it calibrates to its own history; or lower its weight from 2 to 1.'
    );
  });

  it('explicit ramp on the legacy values (warn/max unset): switch to rarity, or raise warn from the legacy 3', () => {
    const n = noisyFix(
      { id: 'traffic', kind: 'seasonal', weight: 0.5, params: { severity: 'ramp', warn: null, max: null } },
      [0.6, 0.6, 0.6, 0.6, 0.6]
    );
    expect(n.severity_mode).toBe('ramp');
    // seasonal's legacy ramp is |z| 3 → 7: severity 0.6 is z = 3 + 4·u(0.6) = 5.2683, rounded up 5.27.
    expect(3 + 4 * inverseSmoothstep(0.6)).toBeCloseTo(5.2683, 3);
    expect(n.fix).toBe(
      'Set severity: rarity (instead of the fixed ramp) so it calibrates to its own history; or raise warn from 3 to 5.27: its severity would have been 0 on the steps carrying 100 % of its false-alarm minutes.'
    );
  });
});

describe('severity helpers', () => {
  it('severityModeOf: explicit mode, ramp implied by warn/max, rarity otherwise, threshold apart', () => {
    const mode = (kind: string, params: Record<string, unknown>) => severityModeOf({ kind, params });
    expect(mode('robust_z', {})).toBe('rarity');
    expect(mode('robust_z', { warn: null, max: null })).toBe('rarity');
    expect(mode('level_shift', { warn: 8 })).toBe('ramp');
    expect(mode('staleness', { max: '5m' })).toBe('ramp');
    expect(mode('seasonal', { severity: 'rarity', warn: 3 })).toBe('rarity');
    expect(mode('ratio', { severity: 'ramp' })).toBe('ramp');
    expect(mode('threshold', { above: 1 })).toBe('threshold');
    expect(mode('something_new', {})).toBe('other');
  });

  it('inverts the smoothstep ramp exactly, so a raised warn rescales severities as the detector would', () => {
    for (const s of [0.001, 0.1, 0.5, 0.8, 0.999]) {
      expect(smoothstep(inverseSmoothstep(s))).toBeCloseTo(s, 12);
    }
    for (const x of [1, 2.5, 3.2, 4.4, 6.9, 7, 12]) {
      const s = rampSeverity(x, 3, 7);
      expect(rampSeverityWithWarn(s, 3, 7, 4)).toBeCloseTo(rampSeverity(x, 4, 7), 12);
    }
    expect(rampSeverityWithWarn(NaN, 3, 7, 4)).toBeNaN();
  });

  it('moves a rarity severity by log10(factor) decades on its 3-decade ramp', () => {
    const lo = 2; // H - 1.5, any value
    for (const L of [2.1, 3, 3.5, 4.9]) {
      const s = rampSeverity(L, lo, lo + 3);
      const shifted = rampSeverity(L, lo + Math.log10(3), lo + Math.log10(3) + 3);
      expect(raritySeverityWithFactor(s, 3)).toBeCloseTo(shifted, 12);
    }
    expect(raritySeverityWithFactor(1, 3)).toBe(1); // kept: its rarity is only bounded below
    expect(raritySeverityWithFactor(0, 3)).toBe(0);
  });

  it('weighted quantiles, significant-digit rounding, durations and shares', () => {
    expect(weightedQuantile([3, 1, 2], [1, 1, 2], 0.5)).toBe(2);
    expect(weightedQuantile([3, 1, 2], [1, 1, 2], 0.9)).toBe(3);
    expect(weightedQuantile([], [], 0.5)).toBeNaN();
    expect(roundSignificant(4.1386, true)).toBe(4.14);
    expect(roundSignificant(0.012345, true)).toBe(0.0124);
    expect(roundSignificant(4.14, true)).toBe(4.14);
    expect(formatDurationMs(90 * 86_400_000)).toBe('90d');
    expect(formatDurationMs(3_700_000)).toBe('1h1m40s');
    expect(shareText(0.714)).toBe('71 %');
    expect(shareText(0.045)).toBe('4.5 %');
    expect(shareText(NaN)).toBe('–');
    expect(shareText(0.0002)).toBe('< 0.1 %');
    expect(minutesText(1234.4)).toBe('1,234');
    expect(minutesText(1.46)).toBe('1.5');
    expect(minutesText(3)).toBe('3');
    expect(minutesText(0.01)).toBe('< 0.1');
  });
});
