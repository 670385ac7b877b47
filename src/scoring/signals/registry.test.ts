/** @jest-environment node */
import { SIGNAL_KINDS } from '../types';
import {
  createDetector,
  getSignalKindInfo,
  runDetector,
  SIGNAL_KIND_INFO,
  SIGNAL_REGISTRY,
  validateSignalParams,
} from './registry';
import { ratioInput, STEP_MS, valueInput } from './testHelpers';

const PATH = 'signals[2].params';

describe('registry', () => {
  it('covers every kind with input type, defaults and help for every param', () => {
    expect(Object.keys(SIGNAL_KIND_INFO).sort()).toEqual([...SIGNAL_KINDS].sort());
    expect(SIGNAL_REGISTRY).toBe(SIGNAL_KIND_INFO);
    for (const kind of SIGNAL_KINDS) {
      const info = getSignalKindInfo(kind);
      expect(info.kind).toBe(kind);
      expect(info.help.kind.length).toBeGreaterThan(10);
      expect(Object.keys(info.help.params).sort()).toEqual(Object.keys(info.defaults).sort());
      expect(Object.keys(info.defaults)).toContain('warmup');
      for (const line of Object.values(info.help.params)) {
        expect(line).not.toMatch(/\n/);
      }
    }
    expect(SIGNAL_KIND_INFO.ratio.inputType).toBe('ratio');
    expect(SIGNAL_KIND_INFO.histogram_drift.inputType).toBe('buckets');
    expect(SIGNAL_KIND_INFO.calibration.inputType).toBe('calibration');
    expect(SIGNAL_KIND_INFO.robust_z.defaults.window).toBe('1h');
  });

  it('defaults are valid (threshold needs a limit), also when passed back merged', () => {
    for (const kind of SIGNAL_KINDS) {
      const info = SIGNAL_KIND_INFO[kind];
      const extra = kind === 'threshold' ? { above: 1 } : {};
      expect(info.validate({ ...extra }, PATH)).toEqual([]);
      expect(info.validate({ ...info.defaults, ...extra }, PATH)).toEqual([]);
      expect(() => createDetector(kind, extra, { stepMs: STEP_MS })).not.toThrow();
    }
  });

  it('reports path and reason', () => {
    expect(validateSignalParams('robust_z', { window: '1 hour' }, PATH)).toEqual([
      { path: 'signals[2].params.window', message: 'must be a duration like 1h (got "1 hour")' },
    ]);
    expect(validateSignalParams('robust_z', { windw: '1h' }, PATH)).toEqual([
      {
        path: 'signals[2].params.windw',
        message:
          'unknown parameter (known: window, warmup, severity, rarity, rarityWindow, hold, warn, max, minScaleRel, minScale)',
      },
    ]);
    expect(validateSignalParams('robust_z', { warn: 'high' }, PATH)[0]).toEqual({
      path: 'signals[2].params.warn',
      message: 'must be a finite number or null (got "high")',
    });
    expect(validateSignalParams('robust_z', { warn: -1 }, PATH)[0].message).toBe('must be >= 0 (got -1)');
    expect(validateSignalParams('robust_z', { window: 0 }, PATH)[0].path).toBe('signals[2].params.window');
    expect(validateSignalParams('robust_z', { window: 2.5 }, PATH)[0].message).toMatch(/whole number of points/);
    expect(validateSignalParams('robust_z', { warn: 5, max: 4 }, PATH)).toEqual([
      { path: 'signals[2].params.max', message: 'must be greater than warn (5)' },
    ]);
    expect(validateSignalParams('histogram_drift', { metric: 'kl' }, PATH)[0].message).toBe(
      'must be one of psi, js, hellinger (got "kl")'
    );
    expect(validateSignalParams('histogram_drift', { metric: 'js', warn: 0.2 }, PATH)).toEqual([
      { path: 'signals[2].params.max', message: 'must be greater than warn (0.2)' }, // js default max 0.1
    ]);
    expect(validateSignalParams('seasonal', { seasons: 2, minSeasons: 3 }, PATH)[0].path).toBe(
      'signals[2].params.minSeasons'
    );
    expect(validateSignalParams('seasonal', { season: '1h', tolerance: '2h' }, PATH)[0].path).toBe(
      'signals[2].params.tolerance'
    );
    expect(validateSignalParams('staleness', { warn: '1h', max: '10m' }, PATH)[0].path).toBe('signals[2].params.max');
    expect(validateSignalParams('threshold', { above: 1, below: 2 }, PATH)[0].path).toBe('signals[2].params.below');
    expect(validateSignalParams('ratio', 'x', PATH)).toEqual([
      { path: PATH, message: 'must be an object of parameters (got "x")' },
    ]);
  });

  it('create refuses invalid params, directions and inputs with clear errors', () => {
    expect(() => createDetector('robust_z', { window: 'soon' }, { stepMs: STEP_MS })).toThrow(
      'robust_z: params.window must be a duration like 1h (got "soon")'
    );
    expect(() => createDetector('robust_z', {}, { stepMs: STEP_MS, direction: 'sideways' as never })).toThrow(
      /direction/
    );
    expect(() => createDetector('robust_z', {}, {})).toThrow(/needs the step/);
    expect(() => createDetector('nope' as never, {}, {})).toThrow(/unknown signal kind/);
    const det = createDetector('robust_z', {}, { stepMs: STEP_MS });
    expect(() => det.process(ratioInput([1], [2]))).toThrow("robust_z detector expects 'value' input, got 'ratio'");
  });

  it('severity: rarity by default, a ramp when asked for or when warn/max are set', () => {
    const spike = valueInput([...Array.from({ length: 7 * 1440 }, (_, i) => 10 + Math.sin(i)), 60]);
    const defaults = runDetector('robust_z', { window: 30 }, { stepMs: STEP_MS }, spike);
    const implied = runDetector('robust_z', { window: 30, warn: 3 }, { stepMs: STEP_MS }, spike);
    const ramp = runDetector('robust_z', { window: 30, severity: 'ramp' }, { stepMs: STEP_MS }, spike);
    // The rarity history needs 12 blocks of 5 min: the first hour is warming up; the ramp is not.
    expect(defaults.status[40]).toBe(1);
    expect(ramp.status[40]).toBe(0);
    expect(implied.status[40]).toBe(0);
    expect(Array.from(implied.severity)).toEqual(Array.from(ramp.severity));
    expect(defaults.severity[7 * 1440]).toBeGreaterThan(0.9);
    // The sine's |z| has a bounded, well-known range: rarity calls none of it rare.
    expect(Array.from(defaults.severity.subarray(80, 7 * 1440)).every((s) => s === 0)).toBe(true);
  });

  it('rarity refuses warn/max, and durations out of range, with the path and the fix', () => {
    expect(validateSignalParams('robust_z', { severity: 'rarity', warn: 3 }, PATH)).toEqual([
      {
        path: 'signals[2].params.warn',
        message:
          'applies only to severity: ramp (set severity: ramp to keep a fixed ramp, or remove it to let the signal calibrate itself)',
      },
    ]);
    expect(validateSignalParams('level_shift', { rarity: '10m' }, PATH)).toEqual([
      { path: 'signals[2].params.rarity', message: 'must be at least 1h (got "10m")' },
    ]);
    expect(validateSignalParams('ratio', { rarityWindow: '1y' }, PATH)).toEqual([
      { path: 'signals[2].params.rarityWindow', message: 'must be at most 90d (got "1y")' },
    ]);
    expect(validateSignalParams('seasonal', { severity: 'fixed' }, PATH)[0].message).toBe(
      'must be one of rarity, ramp or null (got "fixed")'
    );
    // A ramp left unset takes the kind's legacy numbers, and still checks them against each other.
    expect(validateSignalParams('calibration', { severity: 'ramp', warn: 0.2 }, PATH)).toEqual([
      { path: 'signals[2].params.max', message: 'must be greater than warn (0.2)' },
    ]);
  });

  it('converts durations with the step and caps warm-up at the window', () => {
    // window 1h at 15 min = 4 points: warmup 20 is capped to 4, so judging starts at point 4
    const r = runDetector(
      'robust_z',
      { severity: 'ramp' },
      { stepMs: 900_000 },
      valueInput([1, 2, 3, 4, 5, 6], 900_000)
    );
    expect(Array.from(r.status)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(r.support[5]).toBe(4);
    // numbers are points whatever the step
    const p = runDetector('robust_z', { window: 2, warmup: 2 }, { stepMs: 900_000 }, valueInput([1, 2, 3, 4]));
    expect(p.expected[3]).toBe(2.5);
  });

  it('direction defaults per kind', () => {
    expect(SIGNAL_KIND_INFO.robust_z.defaultDirection).toBe('both');
    expect(SIGNAL_KIND_INFO.ratio.defaultDirection).toBe('up');
    expect(SIGNAL_KIND_INFO.calibration.defaultDirection).toBe('up');
    expect(SIGNAL_KIND_INFO.histogram_drift.directions).toEqual([]);
  });
});
