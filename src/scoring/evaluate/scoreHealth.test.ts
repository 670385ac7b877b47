/** @jest-environment node */
import { psi, scoreHealth, scoreHealthToMarkdown } from './scoreHealth';
import type { ScoredSeries } from './backtest';

const DAY = 86_400_000;
const STEP = 600_000; // 10 min: 144 points a day

/** `days` days of one entity: one short alert a day; `wild` days get 6 alerts and higher scores. */
function week(days: number, wild: number[] = []): ScoredSeries {
  const n = (days * DAY) / STEP;
  const t = Float64Array.from({ length: n }, (_, i) => Date.UTC(2025, 0, 6) + i * STEP);
  const score = new Float64Array(n);
  const tier = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const day = Math.floor(i / 144);
    const k = i % 144;
    const isWild = wild.includes(day);
    score[i] = (isWild ? 30 : 5) + ((i * 7919) % 10);
    const alertsToday = isWild ? 6 : 1;
    if (k % 20 === 0 && k / 20 < alertsToday) {
      score[i] = 80;
      tier[i] = 2;
    }
  }
  return { key: 'a', labels: { model: 'a' }, t, score, tier };
}

describe('scoreHealth', () => {
  it('reports daily alert rate and quantiles, and no drift on a steady score', () => {
    const r = scoreHealth([week(10)]);
    expect(r.days).toHaveLength(10);
    expect(r.days[0]).toEqual(expect.objectContaining({ date: '2025-01-06', points: 144, alerts: 1 }));
    expect(r.days[0].p50).toBeGreaterThanOrEqual(5);
    expect(r.days[0].p99).toBeGreaterThanOrEqual(r.days[0].p90);
    expect(r.days[0].alertingShare).toBeCloseTo(1 / 144, 12);
    expect(r.days[0].baseline).toBeUndefined(); // no history yet
    expect(r.days[5].baseline?.days).toBe(5);
    expect(r.drifted).toEqual([]);
  });

  it('flags the day whose alert rate, p90 and score distribution drift', () => {
    const r = scoreHealth([week(10, [8])]);
    expect(r.drifted.map((d) => d.date)).toEqual(['2025-01-14']);
    const d = r.drifted[0];
    expect(d.alerts).toBe(6);
    expect(d.flags.join('\n')).toMatch(/alert rate 6\/day outside/);
    expect(d.flags.join('\n')).toMatch(/p90 score/);
    expect(d.psi).toBeGreaterThan(0.2);
    // The day after is normal again: the flagged day is left out of its baseline.
    expect(r.days[9].drifted).toBe(false);
    expect(r.days[9].baseline?.days).toBe(6);
    expect(scoreHealthToMarkdown(r)).toContain('| 2025-01-14 | 6 |');
  });
});

describe('scoreHealth alert time by signal', () => {
  /** week() with contributions: latency carries 30 % of the score, noise 70 % — on day 8, 90 / 10. */
  function attributed(days: number, wild: number[]): ScoredSeries {
    const s = week(days, wild);
    const latency = Float64Array.from(s.score, (v, i) => v * (wild.includes(Math.floor(i / 144)) ? 0.9 : 0.3));
    const noise = Float64Array.from(s.score, (v, i) => v - latency[i]);
    return { ...s, contributions: { latency, noise } };
  }
  const signals = [
    { id: 'latency', name: 'mean latency', kind: 'robust_z', weight: 1, params: {} },
    { id: 'noise', name: 'noise', kind: 'robust_z', weight: 1, params: {} },
  ];

  it("splits each day's alerting minutes over the signals and flags the day one signal carries", () => {
    const r = scoreHealth([attributed(10, [8])], { signals });
    // Normal day: one 10-minute alert step, 30 / 70; below 5 steps (50 min): not flagged.
    const d0 = r.days[0];
    expect(d0.alertMinutes).toBe(10);
    expect(d0.attribution.map((a) => [a.name, a.minutes])).toEqual([
      ['noise', 7],
      ['mean latency', 3],
    ]);
    expect(d0.dominant).toBeUndefined();
    // Day 8: six alert steps (60 min), latency 90 %.
    const d8 = r.days[8];
    expect(d8.alertMinutes).toBe(60);
    expect(d8.dominant?.name).toBe('mean latency');
    expect(d8.dominant?.share).toBeCloseTo(0.9, 12);
    expect(d8.dominant?.minutes).toBeCloseTo(54, 9);
    expect(r.concentrated.map((d) => d.date)).toEqual(['2025-01-14']);
    // Over all days: 9 normal days (63 min noise, 27 latency) + day 8 (6 noise, 54 latency).
    expect(r.attribution.map((a) => [a.signal, Math.round(a.minutes * 1e9) / 1e9])).toEqual([
      ['latency', 81],
      ['noise', 69],
    ]);
    const md = scoreHealthToMarkdown(r);
    expect(md).toContain('score health has no incident labels');
    expect(md).toMatch(
      /\| 2025-01-14 \| 6 \|.*\| 60 \| mean latency 90 %, noise 10 % \(\*\*mean latency carries most of it\*\*\) \|/
    );
  });

  it('without per-signal fields every alerting minute goes to one bucket, never flagged', () => {
    const r = scoreHealth([week(10, [8])], { minDominantMinutes: 0 });
    expect(r.days[8].attribution.map((a) => [a.signal, a.minutes])).toEqual([['(no per-signal fields)', 60]]);
    expect(r.concentrated).toEqual([]);
  });
});

describe('psi', () => {
  it('is ~0 for the same distribution and large for a shifted one', () => {
    const a = Array.from({ length: 1000 }, (_, i) => i % 100);
    expect(psi(a, a)).toBeCloseTo(0, 12);
    expect(
      psi(
        a,
        a.map((x) => x + 50)
      )
    ).toBeGreaterThan(1);
  });
});
