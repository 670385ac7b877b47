/** @jest-environment node */
import { durationToMs, durationToPoints, isDuration, msToDuration, tryDurationToMs } from './duration';

describe('durationToMs', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d12h', 129_600_000],
    ['250ms', 250],
    ['1m30s500ms', 90_500],
    ['1.5h', 5_400_000],
    [' 2m ', 120_000],
  ])('%s = %d ms', (text, ms) => {
    expect(durationToMs(text)).toBe(ms);
  });

  it.each(['', 'h', '1', '1x', '5m1h', '1h1h', '-1h', '1h 30m', 'abc', '1e3s'])(
    'rejects %j with a clear error',
    (text) => {
      expect(() => durationToMs(text)).toThrow(/invalid duration .*expected e\.g\. 30s, 5m, 1h/);
      expect(isDuration(text)).toBe(false);
    }
  );

  it('rejects non-strings without throwing in the try variant', () => {
    expect(tryDurationToMs(60)).toBeUndefined();
    expect(tryDurationToMs(null)).toBeUndefined();
  });
});

describe('durationToPoints', () => {
  it('converts with rounding and a minimum', () => {
    expect(durationToPoints('1h', 60_000)).toBe(60);
    expect(durationToPoints('1h', 59_990)).toBe(60);
    expect(durationToPoints('1d', 300_000)).toBe(288);
    expect(durationToPoints('30s', 300_000)).toBe(1);
    expect(durationToPoints('0s', 60_000, 0)).toBe(0);
  });

  it('needs a positive step', () => {
    expect(() => durationToPoints('1h', 0)).toThrow(/step/);
    expect(() => durationToPoints('1h', NaN)).toThrow(/step/);
  });
});

describe('msToDuration', () => {
  it('writes the shortest exact form in days, hours, minutes and seconds', () => {
    expect(msToDuration(90 * 86_400_000)).toBe('90d');
    expect(msToDuration(86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4000)).toBe('1d2h3m4s');
    expect(msToDuration(0)).toBe('0s');
    expect(msToDuration(NaN)).toBe('0s');
    expect(durationToMs(msToDuration(123_456_000))).toBe(123_456_000);
  });
});
