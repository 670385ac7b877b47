/** @jest-environment node */
import { segmentCheck, segmentsToMarkdown, twoProportionZ } from './segments';
import type { ScoredSeries } from './backtest';
import { parseIncidentsJson } from './groundTruth';

const S = 60_000;
const N = 400;

/** An entity with one-point alerts at the given rows. */
function entity(region: string, id: string, alertRows: number[]): ScoredSeries {
  const tier = new Uint8Array(N);
  for (const r of alertRows) {
    tier[r] = 2;
  }
  return {
    key: `${region}/${id}`,
    labels: { region, id },
    t: Float64Array.from({ length: N }, (_, i) => i * S),
    score: Float64Array.from(tier, (k) => k * 30),
    tier,
  };
}

describe('segmentCheck', () => {
  // eu: incidents at 50 and 150 on each of two entities, each caught once; us: one incident, caught,
  // plus 11 false alarms across its entities.
  const series = [
    entity('eu', '1', [50, 150]),
    entity('eu', '2', [50, 150]),
    entity('us', '1', [50, 100, 120, 140, 160, 180, 200]),
    entity('us', '2', [20, 60, 100, 220, 260, 300]),
  ];
  const inc = (region: string, id: string, at: number) => ({
    id: `${region}${id}-${at}`,
    entity: { region, id },
    kind: 'x',
    start: at * S,
    end: (at + 5) * S,
  });
  const truth = parseIncidentsJson({
    incidents: [inc('eu', '1', 50), inc('eu', '1', 150), inc('eu', '2', 50), inc('eu', '2', 150), inc('us', '1', 50)],
  });

  it('flags the segment flagged far more often than its share of incidents', () => {
    const r = segmentCheck(series, truth, 'region', { backtest: { graceMs: 0 } });
    expect([r.totalAlerts, r.totalIncidents]).toEqual([17, 5]);
    const [eu, us] = r.segments;
    expect([eu.value, eu.alerts, eu.incidents, eu.falseAlarms]).toEqual(['eu', 4, 4, 0]);
    expect([us.value, us.alerts, us.incidents, us.falseAlarms]).toEqual(['us', 13, 1, 12]);
    expect(us.ratio).toBeCloseTo(13 / 17 / (1 / 5), 12);
    expect(us.z).toBeCloseTo(twoProportionZ(13, 17, 1, 5), 12);
    expect(us.z).toBeGreaterThan(1.645);
    expect(r.flagged.map((s) => s.value)).toEqual(['us']);
    expect(eu.disproportionate).toBe(false);
    expect(segmentsToMarkdown(r)).toContain('**flagged disproportionately**');
  });

  it('needs a minimum count before flagging', () => {
    const r = segmentCheck(series, truth, 'region', { minCount: 20 });
    expect(r.flagged).toEqual([]);
  });
});

describe('twoProportionZ', () => {
  it('matches the pooled formula', () => {
    // p1 = 0.6 (60/100), p2 = 0.4 (40/100), pooled 0.5: z = 0.2 / sqrt(0.25 * 0.02) = 2.828...
    expect(twoProportionZ(60, 100, 40, 100)).toBeCloseTo(0.2 / Math.sqrt(0.005), 12);
    expect(twoProportionZ(1, 0, 1, 1)).toBe(0);
  });
});
