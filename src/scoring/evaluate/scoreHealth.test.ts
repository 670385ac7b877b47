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
