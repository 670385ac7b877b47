/** @jest-environment node */
import { raritySeverity } from '../signals/rarity';
import { withDefaults, type ScoreSpec } from '../spec';
import { durationToMs, msToDuration } from '../util/duration';
import { inverseSmoothstep, smoothstep } from '../util/smoothstep';
import {
  applyCandidate,
  applyProposal,
  CachedScorer,
  appendVersion,
  calibrate,
  cachedEntitiesFromFrames,
  compareObjective,
  createVersionsFile,
  cutsWithAlertCut,
  getVersion,
  parseVersionsFile,
  rescore,
  restoreVersion,
  scoreObjective,
  sensitivityKnobOf,
  severityWithSensitivity,
  stringifyVersionsFile,
  type CachedEntity,
  type Candidate,
} from './calibrate';
import { raritySeverityWithFactor } from './severityShift';
import { backtest, type TierReport } from './backtest';
import { parseIncidentsJson } from './groundTruth';

const S = 60_000;
const N = 3000;

/** Deterministic LCG in [0, 1). */
function rng(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const spec = withDefaults({
  id: 'synthetic',
  version: 3,
  entity: ['e'],
  signals: [
    { id: 'good', kind: 'threshold', params: { above: 1 } },
    { id: 'noisy', kind: 'threshold', params: { above: 1 } },
  ],
});

/** `good` fires during every incident; `noisy` spikes at random, mostly outside incidents. */
function synthetic() {
  const random = rng(7);
  const incidents: Array<{ id: string; entity: Record<string, string>; kind: string; start: number; end: number }> = [];
  const entities: CachedEntity[] = [];
  for (let e = 0; e < 4; e++) {
    const t = Float64Array.from({ length: N }, (_, i) => i * S);
    const good = new Float64Array(N).fill(0.02);
    const noisy = new Float64Array(N).fill(0.02);
    for (let start = 100 + 37 * e; start + 10 < N; start += 250) {
      incidents.push({
        id: `inc-${e}-${start}`,
        entity: { e: String(e) },
        kind: 'x',
        start: start * S,
        end: (start + 10) * S,
      });
      for (let i = start + 1; i < start + 10; i++) {
        good[i] = 0.9;
      }
    }
    for (let i = 0; i < N; i++) {
      if (random() < 1 / 120) {
        noisy[i] = 0.8;
      }
    }
    entities.push({
      key: `e${e}`,
      labels: { e: String(e) },
      t,
      score: new Float64Array(N),
      tier: new Uint8Array(N),
      severities: { good, noisy },
    });
  }
  const scored = rescore(spec, entities);
  entities.forEach((x, i) => {
    x.score = scored[i].score;
    x.tier = scored[i].tier;
  });
  return { entities, truth: parseIncidentsJson({ incidents }) };
}

describe('calibrate', () => {
  const { entities, truth } = synthetic();

  it('the synthetic case is imperfect to begin with: the noisy signal raises false alarms', () => {
    const review = backtest(entities, truth, { tiers: ['review'] }).tiers[0];
    expect(review.recall).toBe(1);
    expect(review.precision).toBeLessThan(0.6);
  });

  it('down-weights the noisy signal and improves the held-out part', () => {
    const r = calibrate(spec, entities, truth, {
      objective: { kind: 'recall_at_precision', minPrecision: 0.9 },
      split: 0.6,
    });
    expect(r.proposal.weights.noisy).toBeLessThan(1);
    expect(r.proposal.weights.good).toBeGreaterThan(0);
    expect(r.heldout.after.precision).toBeGreaterThanOrEqual(0.9);
    expect(r.heldout.after.recall).toBe(1);
    expect(r.improved).toBe(true);
    expect(r.statement).toMatch(/^Improved on the held-out part/);
    expect(r.range.split).toBe(Math.round(N * 0.6) * S);
    expect(r.proposedSpec?.version).toBe(4);
    expect(r.proposedSpecErrors).toEqual([]);
    // Deterministic: the same input gives the same proposal.
    expect(calibrate(spec, entities, truth, { split: 0.6 }).proposal).toEqual(r.proposal);
  });

  it('says so when it cannot improve (a perfect spec)', () => {
    const clean = entities.map((e) => ({
      ...e,
      severities: { good: e.severities.good, noisy: new Float64Array(N).fill(0.02) },
    }));
    const r = calibrate(spec, clean, truth, { split: 0.6 });
    expect(r.improved).toBe(false);
    expect(r.statement).toMatch(/^No improvement/);
    expect(r.proposedSpec).toBeUndefined();
  });

  it('never reports an improvement that the held-out part does not show', () => {
    // Fit on a part where the noisy signal is quiet, hold out a part where only noise remains.
    const shifted = entities.map((e) => {
      const good = Float64Array.from(e.severities.good, (v, i) => (i < N * 0.6 ? v : 0.02));
      return { ...e, severities: { good, noisy: e.severities.noisy } };
    });
    const r = calibrate(spec, shifted, truth, { split: 0.6 });
    const cmp = compareObjective(r.heldout.afterScore, r.heldout.beforeScore);
    expect(r.improved).toBe(cmp > 0 && r.proposedSpec !== undefined);
    if (!r.improved) {
      expect(r.statement).toMatch(/^(No improvement|No change keeps)/);
    }
    // Whatever it proposes keeps the held-out recall (the default floor: no recall loss).
    expect(r.heldout.after.recall).toBeGreaterThanOrEqual(r.heldout.before.recall);
  });
});

describe('objective and cuts', () => {
  const rep = (precision: number, recall: number, ttd: number, alerts = 10) =>
    ({ precision, recall, median_ttd_steps: ttd, alerts, nab: { score: 50 } }) as unknown as TierReport;
  const o = { kind: 'recall_at_precision' as const, minPrecision: 0.9 };

  it('prefers feasible, then recall, then earlier detection', () => {
    const cmp = (a: TierReport, b: TierReport) =>
      Math.sign(compareObjective(scoreObjective(o, a), scoreObjective(o, b)));
    expect(cmp(rep(0.9, 0.5, 3), rep(0.8, 1, 3))).toBe(1);
    expect(cmp(rep(0.95, 0.8, 3), rep(0.99, 0.7, 1))).toBe(1);
    expect(cmp(rep(0.95, 0.8, 2), rep(0.95, 0.8, 3))).toBe(1);
    expect(cmp(rep(0.8, 1, 3), rep(0.7, 1, 3))).toBe(1);
    expect(cmp(rep(NaN, 0, NaN, 0), rep(0.5, 1, 3))).toBe(-1);
  });

  it('moves the other cuts by the same factor in evidence space', () => {
    expect(cutsWithAlertCut({ watch: 25, review: 50, critical: 75 }, 'review', 50)).toEqual({
      watch: 25,
      review: 50,
      critical: 75,
    });
    const c = cutsWithAlertCut({ watch: 25, review: 50, critical: 75 }, 'review', 75);
    // evidence(75) = 2 evidence(50): watch 25 -> 1 - 0.75^2 = 43.75; critical 75 -> 1 - 0.25^2 = 93.75.
    expect(c).toEqual({ watch: 43.8, review: 75, critical: 93.8 });
  });
});

describe('versions file', () => {
  const v3 = spec;
  it('appends versions with who/when/why and restores any version as a new one', () => {
    let file = createVersionsFile(v3, { author: 'alice', reason: 'initial', at: '2025-01-01T00:00:00Z' });
    expect(file.versions.map((v) => v.version)).toEqual([3]);
    const changed = { ...v3, signals: v3.signals.map((s) => (s.id === 'noisy' ? { ...s, weight: 0.25 } : s)) };
    const appended = appendVersion(file, changed, {
      author: 'bob',
      reason: 'down-weight noisy',
      at: '2025-01-02T00:00:00Z',
      backtest: { precision: 1 },
    });
    file = appended.file;
    expect(appended.version).toEqual(
      expect.objectContaining({
        version: 4,
        author: 'bob',
        at: '2025-01-02T00:00:00Z',
        reason: 'down-weight noisy',
        backtest: { precision: 1 },
      })
    );
    expect(appended.version.spec.version).toBe(4);
    const restored = restoreVersion(file, 3, { author: 'carol', at: '2025-01-03T00:00:00Z' });
    expect(restored.version.version).toBe(5);
    expect(restored.version.reason).toBe('restore version 3');
    expect({ ...restored.version.spec, version: 3 }).toEqual(getVersion(file, 3).spec);
    expect(restored.file.versions).toHaveLength(3);
    expect(file.versions).toHaveLength(2); // immutable
    const again = parseVersionsFile(stringifyVersionsFile(restored.file));
    expect(again).toEqual(restored.file);
    expect(() => getVersion(file, 9)).toThrow(/no version 9/);
    expect(() => appendVersion(file, { ...v3, id: 'other' }, { author: 'x', reason: 'y' })).toThrow(/does not belong/);
    expect(() => appendVersion(file, v3, { author: '', reason: 'y' })).toThrow(/author/);
    expect(() =>
      parseVersionsFile({ specId: 'x', versions: [{ version: 1, spec: {}, author: 'a', at: 'b', reason: 'c' }] })
    ).toThrow(/version 1.*does not validate/);
  });

  it('applies a calibration proposal as the next version', () => {
    const { entities, truth } = synthetic();
    const r = calibrate(spec, entities, truth, { split: 0.6 });
    const file = createVersionsFile(spec, { author: 'alice', reason: 'initial' });
    const { version } = applyProposal(file, r, { author: 'calibration bot' });
    expect(version.version).toBe(4);
    expect(version.reason).toMatch(/signals\.noisy\.weight: 1 → /);
    expect(version.backtest).toEqual(expect.objectContaining({ improved: true }));
  });
});

describe('cachedEntitiesFromFrames', () => {
  it('reads Time, score, tier and severity:<id> fields', () => {
    const [e] = cachedEntitiesFromFrames([
      {
        name: '{e="1"}',
        fields: [
          { name: 'Time', values: [0, S] },
          { name: 'score', values: [10, 60] },
          { name: 'tier', values: ['ok', 'review'] },
          { name: 'severity:good', values: [0.1, null] },
        ],
        meta: { custom: { entity: { e: '1' } } },
      },
      { name: 'triage', fields: [{ name: 'entity', values: ['x'] }] },
    ]);
    expect(e.key).toBe('{e="1"}');
    expect(e.labels).toEqual({ e: '1' });
    expect(Array.from(e.tier)).toEqual([0, 2]);
    expect(Array.from(e.severities.good)).toEqual([0.1, NaN]);
  });
});

// ---------------------------------------------------------------------------------------------
// Sensitivity and the recall floor
// ---------------------------------------------------------------------------------------------

/** Where a step lies in `scenario`: inside an incident (its kind, the step within it), a burst, or quiet. */
type Where = { at: 'incident'; kind: 'a' | 'b'; step: number } | { at: 'burst' } | { at: 'quiet' };

const ENTITIES = 4;
const PERIOD = 250;
const INCIDENT_STEPS = 10;

/**
 * 4 entities × N one-minute steps. Incidents of 10 steps every 250 steps (offset 37 per entity), of
 * kind `a` and `b` in turn; a 2-step burst half-way between two incidents, outside every incident
 * window. `severityOf(signal, where)` sets each signal's severity; scores and tiers come from the
 * spec (rescore), as the engine would give them.
 */
function scenario(forSpec: ScoreSpec, severityOf: (signal: string, where: Where, entity: number) => number) {
  const incidents: Array<{ id: string; entity: Record<string, string>; kind: string; start: number; end: number }> = [];
  const entities: CachedEntity[] = [];
  for (let e = 0; e < ENTITIES; e++) {
    const where: Where[] = Array.from({ length: N }, () => ({ at: 'quiet' }));
    for (let j = 0, start = 100 + 37 * e; start + INCIDENT_STEPS < N; j++, start += PERIOD) {
      const kind = j % 2 === 0 ? 'a' : 'b';
      incidents.push({
        id: `${kind}-${e}-${start}`,
        entity: { e: String(e) },
        kind,
        start: start * S,
        end: (start + INCIDENT_STEPS) * S,
      });
      for (let i = start + 1; i < start + INCIDENT_STEPS; i++) {
        where[i] = { at: 'incident', kind, step: i - start };
      }
      for (const i of [start + PERIOD / 2, start + PERIOD / 2 + 1]) {
        if (i < N) {
          where[i] = { at: 'burst' };
        }
      }
    }
    const severities: Record<string, Float64Array> = {};
    for (const s of forSpec.signals) {
      severities[s.id] = Float64Array.from(where, (w) => severityOf(s.id, w, e));
    }
    entities.push({
      key: `e${e}`,
      labels: { e: String(e) },
      t: Float64Array.from({ length: N }, (_, i) => i * S),
      score: new Float64Array(N),
      tier: new Uint8Array(N),
      severities,
    });
  }
  rescore(forSpec, entities).forEach((x, i) => {
    entities[i].score = x.score;
    entities[i].tier = x.tier;
  });
  const split = Math.round(N * 0.6) * S;
  return { entities, truth: parseIncidentsJson({ incidents }), incidents, split };
}

const QUIET = 0.02;

describe('sensitivity knobs and the severity transform', () => {
  it('moves a rarity severity by log10(f) decades on a 3-decade ramp (known values)', () => {
    // u(0.5) = 1/2; × 10 moves u by 1/3: smoothstep(1/6) = 2/27; × 1/10: smoothstep(5/6) = 25/27.
    expect(raritySeverityWithFactor(0.5, 10)).toBeCloseTo(2 / 27, 12);
    expect(raritySeverityWithFactor(0.5, 0.1)).toBeCloseTo(25 / 27, 12);
    // × 10^1.5 moves it by half the ramp: from the middle to the bottom.
    expect(raritySeverityWithFactor(0.5, 10 ** 1.5)).toBeCloseTo(0, 12);
    expect(raritySeverityWithFactor(0.5, 10 ** -1.5)).toBeCloseTo(1, 12);
    // The ends stay (only a bound on the rarity is known there); NaN stays not judged.
    expect(raritySeverityWithFactor(1, 3)).toBe(1);
    expect(raritySeverityWithFactor(0, 1 / 3)).toBe(0);
    expect(raritySeverityWithFactor(NaN, 3)).toBeNaN();
  });

  it('agrees with the detector’s own severity at the moved target (signals/rarity.ts)', () => {
    const target = 4; // L50 in decades
    for (const factor of [1 / 3, 3, 10]) {
      for (let decades = 2.6; decades <= 5.4; decades += 0.2) {
        const s = raritySeverity(decades, target);
        expect(raritySeverityWithFactor(s, factor)).toBeCloseTo(
          raritySeverity(decades, target + Math.log10(factor)),
          9
        );
      }
    }
  });

  it('reads the knob of each severity mode: rarity × factors, warn up its ramp, none for thresholds', () => {
    const day = 86_400_000;
    const rarity = sensitivityKnobOf({ id: 'x', kind: 'robust_z', params: { rarity: '60d' } })!;
    expect(rarity).toEqual(
      expect.objectContaining({ param: 'rarity', path: 'signals.x.params.rarity', current: 60 * day, exact: false })
    );
    expect(rarity.grid).toEqual([20 * day, 60 * day, 180 * day, 600 * day]);
    expect(severityWithSensitivity(rarity, 180 * day, 0.6)).toBe(raritySeverityWithFactor(0.6, 3));

    const ramp = sensitivityKnobOf({ id: 'z', kind: 'robust_z', params: { warn: 2, max: 5 } })!;
    expect(ramp).toEqual(expect.objectContaining({ param: 'warn', current: 2, max: 5, exact: true }));
    expect(ramp.grid).toEqual([2, 2.75, 3.5, 4.25]);
    // x = 4 under warn 2 (severity smoothstep(2/3)) has severity smoothstep(1/3) under warn 3.5.
    expect(severityWithSensitivity(ramp, 3.5, smoothstep(2 / 3))).toBeCloseTo(smoothstep(1 / 3), 12);

    const lag = sensitivityKnobOf({ id: 'lag', kind: 'staleness', params: { warn: '2m', max: '5m' } })!;
    expect(lag.grid).toEqual([120, 165, 210, 255]); // seconds: 2m + q · 3m
    expect(lag.duration).toBe(true);

    expect(sensitivityKnobOf({ id: 'slo', kind: 'threshold', params: { above: 1 } })).toBeUndefined();
  });

  it('writes a changed sensitivity into the proposed spec, which validates', () => {
    const rampSpec = withDefaults({
      id: 'k',
      entity: ['e'],
      signals: [
        { id: 'lag', kind: 'staleness', params: { warn: '2m', max: '5m' } },
        { id: 'z', kind: 'robust_z' },
      ],
    });
    const zRarity = durationToMs(rampSpec.signals[1].params.rarity as string);
    const next = applyCandidate(rampSpec, {
      weights: { lag: 1, z: 1 },
      cuts: rampSpec.tiers.cuts,
      sensitivity: { lag: 165, z: 3 * zRarity },
    });
    expect(next.signals[0].params).toEqual(expect.objectContaining({ warn: '2m45s', max: '5m' }));
    expect(next.signals[1].params.rarity).toBe(msToDuration(3 * zRarity));
    const again = sensitivityKnobOf(next.signals[1])!;
    expect(again.current).toBe(3 * zRarity);
  });

  it('scores candidates bit-identically to the composite (combine), with context multipliers and gaps', () => {
    const mSpec = withDefaults({
      id: 'm',
      entity: ['e'],
      signals: [
        { id: 'zeta', kind: 'robust_z' },
        { id: 'alpha', kind: 'robust_z', params: { warn: 2, max: 5 } },
        { id: 'mid', kind: 'threshold', params: { above: 1 } },
      ],
      context: [{ id: 'boost', match: { e: '1' }, multiplier: 1.7 }],
    });
    const random = rng(11);
    const value = () => {
      const u = random();
      return u < 0.05 ? NaN : u < 0.1 ? 0 : u < 0.15 ? 1 : random();
    };
    const entities: CachedEntity[] = ['0', '1'].map((e) => ({
      key: e,
      labels: { e },
      t: Float64Array.from({ length: 500 }, (_, i) => i * S),
      score: new Float64Array(500),
      tier: new Uint8Array(500),
      severities: { zeta: Float64Array.from({ length: 500 }, value), alpha: Float64Array.from({ length: 500 }, value) },
    }));
    const scorer = new CachedScorer(mSpec, entities);
    expect(scorer.entityContexts.map((ec) => ec.ctx.multiplier[0])).toEqual([1, 1.7]);
    const zeta = sensitivityKnobOf(mSpec.signals[0])!;
    const candidates: Array<Pick<Candidate, 'weights' | 'sensitivity'>> = [
      { weights: { zeta: 1, alpha: 1, mid: 1 }, sensitivity: {} },
      { weights: { zeta: 0.25, alpha: 2, mid: 1 }, sensitivity: { zeta: zeta.grid[3], alpha: 3.5 } },
      { weights: { zeta: 0, alpha: 1.5, mid: 1 }, sensitivity: { zeta: zeta.grid[0] } },
    ];
    for (const candidate of candidates) {
      const fast = scorer.scores(candidate);
      const reference = rescore(mSpec, entities, { ...candidate, cuts: mSpec.tiers.cuts });
      fast.forEach((score, i) => expect(Array.from(score)).toEqual(Array.from(reference[i].score)));
    }
  });

  it('rescoring with a sensitivity applies the transform to that signal only', () => {
    const rSpec = withDefaults({ id: 'r', entity: ['e'], signals: [{ id: 'z', kind: 'robust_z' }] });
    const current = sensitivityKnobOf(rSpec.signals[0])!.current;
    const sev = Float64Array.from([0.2, 0.5, 0.8, 1]);
    const entity: CachedEntity = {
      key: 'e',
      labels: { e: '1' },
      t: Float64Array.from([0, S, 2 * S, 3 * S]),
      score: new Float64Array(4),
      tier: new Uint8Array(4),
      severities: { z: sev },
    };
    const [shifted] = rescore(rSpec, [entity], { sensitivity: { z: 10 * current } });
    // One signal of weight 1: score = 100 · s' (evidence composite).
    Array.from(sev).forEach((s, i) => {
      const expected = s >= 1 ? 100 : 100 * smoothstep(inverseSmoothstep(s) - 1 / 3);
      expect(shifted.score[i]).toBeCloseTo(expected, 6);
    });
  });
});

describe('calibrate keeps recall', () => {
  it('raises a noisy signal’s rarity: precision fixed without recall loss (accepted)', () => {
    const rSpec = withDefaults({
      id: 'rarity-case',
      entity: ['e'],
      signals: [
        { id: 'good', kind: 'robust_z' },
        { id: 'noisy', kind: 'robust_z' },
      ],
    });
    // good: severity 0.9 in every incident; noisy: 0.6 on the bursts (score 60, review), nowhere else.
    const { entities, truth } = scenario(rSpec, (id, w) =>
      id === 'good' ? (w.at === 'incident' ? 0.9 : QUIET) : w.at === 'burst' ? 0.6 : QUIET
    );
    const r = calibrate(rSpec, entities, truth, { split: 0.6 });
    const rarity = rSpec.signals[1].params.rarity as string;
    // × 3 moves 0.6 to smoothstep(u(0.6) − log10(3)/3) = 0.36: the bursts stay below review.
    expect(raritySeverityWithFactor(0.6, 3)).toBeLessThan(0.5);
    expect(r.changes).toEqual([
      { what: 'signals.noisy.params.rarity', from: rarity, to: msToDuration(3 * durationToMs(rarity)), estimate: true },
    ]);
    expect(r.outcome).toBe('improved');
    expect(r.heldout.before.precision).toBeLessThan(0.9);
    expect(r.heldout.after.precision).toBe(1);
    expect(r.heldout.after.recall).toBe(r.heldout.before.recall);
    expect(r.constraint.heldout).toEqual(expect.objectContaining({ recallOk: true, ok: true }));
    expect(r.estimated).toBe(true);
    expect(r.statement).toMatch(/^Improved on the held-out part/);
    expect(r.statement).toMatch(/Rarity changes are estimated/);
    expect(r.proposedSpec?.signals.find((s) => s.id === 'noisy')?.params.rarity).toBe(r.changes[0].to);
    expect(r.proposedSpecErrors).toEqual([]);
    // Weights and cuts alone would have done it by down-weighting instead (the old search).
    const old = calibrate(rSpec, entities, truth, { split: 0.6, tuneSensitivity: false });
    expect(old.changes.map((c) => c.what)).toEqual(['signals.noisy.weight']);
  });

  /** latency carries the `a` incidents; errors carries the `b` ones AND every burst, at full severity. */
  const removal = () => {
    const tSpec = withDefaults({
      id: 'removal-case',
      entity: ['e'],
      signals: [
        { id: 'latency', kind: 'threshold', params: { above: 1 } },
        { id: 'errors', kind: 'threshold', params: { above: 1 } },
      ],
    });
    const data = scenario(tSpec, (id, w) => {
      if (id === 'latency') {
        return w.at === 'incident' && w.kind === 'a' ? 0.9 : QUIET;
      }
      return (w.at === 'incident' && w.kind === 'b') || w.at === 'burst' ? 1 : QUIET;
    });
    return { tSpec, ...data };
  };

  it('refuses the best-precision candidate when it drops a signal and loses incidents (default floor)', () => {
    const { tSpec, entities, truth, incidents, split } = removal();
    const r = calibrate(tSpec, entities, truth, { split: 0.6, allowRemovingSignals: true });
    // Removing `errors` is the only way to precision >= 0.9 (a severity of 1 saturates any weight),
    // and it loses every `b` incident.
    expect(r.refused?.changes).toEqual([
      { what: 'signals.errors.weight', from: 1, to: 'removed (weight 0)', estimate: false },
    ]);
    const lostHeldout = incidents.filter((i) => i.kind === 'b' && i.start >= split).map((i) => i.id);
    const lostFit = incidents.filter((i) => i.kind === 'b' && i.start < split).map((i) => i.id);
    expect(
      r
        .refused!.lost.filter((i) => i.part === 'held-out')
        .map((i) => i.id)
        .sort()
    ).toEqual([...lostHeldout].sort());
    expect(
      r
        .refused!.lost.filter((i) => i.part === 'fit')
        .map((i) => i.id)
        .sort()
    ).toEqual([...lostFit].sort());
    expect(r.refused!.heldout.precision).toBe(1);
    // Nothing else improves: nothing is proposed, and the statement says why, naming the incidents.
    expect(r.outcome).toBe('impossible');
    expect(r.proposedSpec).toBeUndefined();
    expect(r.changes).toEqual([]);
    expect(r.statement).toMatch(
      new RegExp(
        `^No change keeps held-out recall >= 1\\.000; the best candidate \\(signals\\.errors\\.weight: 1 → removed \\(weight 0\\)\\) ` +
          `would lose ${lostHeldout.length} held-out incidents: ${lostHeldout[0]} \\(b, e=\\d\\)`
      )
    );
    expect(r.statement).toContain(`(and ${lostFit.length} on the fit part)`);
    expect(r.statement).toMatch(/Nothing is proposed/);
  });

  it('never sets a weight to 0 unless removing signals is allowed', () => {
    const { tSpec, entities, truth } = removal();
    const r = calibrate(tSpec, entities, truth, { split: 0.6, recallFloor: 0 });
    expect(Object.values(r.proposal.weights).every((w) => w > 0)).toBe(true);
    expect(r.changes.some((c) => c.to === 'removed (weight 0)')).toBe(false);
  });

  it('accepts the removal when the user lowers the floor (recall floor 0)', () => {
    const { tSpec, entities, truth } = removal();
    const r = calibrate(tSpec, entities, truth, { split: 0.6, allowRemovingSignals: true, recallFloor: 0 });
    expect(r.changes.map((c) => `${c.what} ${c.to}`)).toEqual(['signals.errors.weight removed (weight 0)']);
    expect(r.outcome).toBe('improved');
    expect(r.heldout.after.recall).toBeLessThan(r.heldout.before.recall);
    expect(r.constraint.heldout.floor).toBe(0);
    expect(r.proposedSpec?.signals.map((s) => s.id)).toEqual(['latency']);
  });

  it('says plainly when an absolute floor is out of reach, and proposes nothing', () => {
    // The original synthetic spec, with entity 3's incidents invisible to every signal.
    const { entities, truth, incidents, split } = scenario(spec, (id, w, e) =>
      id === 'good' ? (w.at === 'incident' && e !== 3 ? 0.9 : QUIET) : w.at === 'burst' ? 0.8 : QUIET
    );
    const held = incidents.filter((i) => i.start >= split);
    const recall = held.filter((i) => i.entity.e !== '3').length / held.length;
    expect(recall).toBeLessThan(0.9);
    const r = calibrate(spec, entities, truth, { split: 0.6, recallFloor: 0.9 });
    expect(r.heldout.before.recall).toBeCloseTo(recall, 12);
    expect(r.outcome).toBe('impossible');
    expect(r.proposedSpec).toBeUndefined();
    expect(r.statement).toMatch(
      new RegExp(
        `^No change reaches held-out recall >= 0\\.900 \\(the current spec has held-out recall ${recall.toFixed(3)}\\); `
      )
    );
    expect(r.statement).toMatch(/Nothing is proposed/);
  });

  describe('median time to detect', () => {
    const ttdSpec = withDefaults({
      id: 'ttd-case',
      entity: ['e'],
      signals: [{ id: 'mixed', kind: 'threshold', params: { above: 1 } }],
    });
    // The incidents ramp in (0.55, 0.65, then 0.9); the bursts sit at 0.6, between the first two
    // steps: any change that drops the bursts also misses the first step of every incident.
    const { entities, truth } = scenario(ttdSpec, (_id, w) =>
      w.at === 'incident' ? (w.step === 1 ? 0.55 : w.step === 2 ? 0.65 : 0.9) : w.at === 'burst' ? 0.6 : QUIET
    );

    it('reports the TTD cost of a proposal when there is no bound', () => {
      const r = calibrate(ttdSpec, entities, truth, { split: 0.6 });
      expect(r.outcome).toBe('improved');
      expect(r.heldout.after.precision).toBe(1);
      expect(r.heldout.before.ttd_minutes.median).toBe(1);
      // The best possible: alert from the second step (score(0.65) >= cut > score(0.6)).
      expect(r.heldout.after.ttd_minutes.median).toBe(2);
      expect(r.statement).toContain('median time to detect 1 min → 2 min');
    });

    it('refuses every change that delays detection beyond the bound', () => {
      const r = calibrate(ttdSpec, entities, truth, { split: 0.6, maxTtdIncreaseMs: 0 });
      expect(r.outcome).toBe('impossible');
      expect(r.proposedSpec).toBeUndefined();
      expect(r.refused?.heldout.ttd_minutes.median).toBe(2);
      expect(r.statement).toMatch(
        /^No change keeps median time to detect within \+0 min; the best candidate \(.+\) would give held-out median time to detect 1 min → 2 min, more than \+0 min/
      );
    });
  });
});
