/** @jest-environment node */
import { formatCount, formatDurationWords, rarityBoundText, rarityReading } from './explainRarity';
import type { SignalSpec } from './spec';

const signal = (params: Record<string, unknown>): SignalSpec => ({
  id: 'latency',
  kind: 'robust_z',
  weight: 1,
  direction: 'up',
  params,
});
const MIN = 60_000;

describe('rarity in words', () => {
  it('severity 0.5 is the target itself: once per 30 days, 1 in 8,640 five-minute spans', () => {
    const r = rarityReading(signal({}), 0.5, MIN)!;
    expect(r.relation).toBe('about');
    expect(r.decades).toBeCloseTo(Math.log10(8640), 12);
    expect(r.onceEveryMs).toBeCloseTo(30 * 86_400_000, -3);
    expect(r.text).toBe(
      'as rare as 1 in 8,600 five-minute spans of its history (about once in 30 days; judged on the last 7 days)'
    );
  });

  it('the ends are bounds: 1 is "rarer than", 0 is "no rarer than"', () => {
    expect(rarityReading(signal({}), 1, MIN)!.text).toMatch(/^rarer than 1 in 270,000 five-minute spans/);
    expect(rarityReading(signal({}), 0, MIN)!.text).toMatch(/^no rarer than 1 in 270 five-minute spans/);
    // A longer step makes the step the block.
    expect(rarityReading(signal({ rarity: '90d' }), 0.5, 3_600_000)!.text).toMatch(/1 in 2,200 one-hour spans.*90 days/);
  });

  it('says nothing for a fixed ramp or an unjudged point', () => {
    expect(rarityReading(signal({ severity: 'ramp' }), 0.5, MIN)).toBeUndefined();
    expect(rarityReading(signal({ warn: 4 }), 0.5, MIN)).toBeUndefined();
    expect(rarityReading(signal({}), NaN, MIN)).toBeUndefined();
    expect(rarityBoundText(signal({}), NaN, MIN)).toBeUndefined();
  });

  it('the tier-change bound is a return period', () => {
    expect(rarityBoundText(signal({}), 0.5, MIN)).toBe('is no rarer than once in 30 days of its history');
  });

  it('formats counts and durations', () => {
    expect(formatCount(19_950)).toBe('20,000');
    expect(formatCount(42.4)).toBe('42');
    expect(formatCount(Infinity)).toBe('∞');
    expect(formatDurationWords(69 * 86_400_000)).toBe('69 days');
    expect(formatDurationWords(86_400_000)).toBe('1 day');
    expect(formatDurationWords(3.24 * 365 * 86_400_000)).toBe('3.2 years');
    expect(formatDurationWords(90 * MIN)).toBe('1.5 hours');
  });
});
