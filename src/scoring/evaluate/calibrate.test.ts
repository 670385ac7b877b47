/** @jest-environment node */
import { withDefaults } from '../spec';
import {
  applyProposal,
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
  stringifyVersionsFile,
  type CachedEntity,
} from './calibrate';
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
      expect(r.statement).toMatch(/^No improvement/);
    }
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
    expect(version.reason).toMatch(/signals\.noisy\.weight 1 -> /);
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
