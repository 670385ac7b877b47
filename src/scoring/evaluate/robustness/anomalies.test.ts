/** @jest-environment node */
import { ANOMALY_SHAPES, conditionAt, healthyCondition, INJECTION, injectAnomaly } from './anomalies';

describe('anomaly injectors', () => {
  const n = 2000;
  const start = 1000;

  it('healthy is the identity condition', () => {
    const c = healthyCondition(3);
    expect(conditionAt(c, 1)).toEqual({ shift: 0, scale: 1, mix: 0, stalled: false });
  });

  it('nothing changes before the start, for every shape', () => {
    for (const a of ANOMALY_SHAPES) {
      const { condition: c } = injectAnomaly(a, start, n);
      expect(conditionAt(c, start - 1)).toEqual({ shift: 0, scale: 1, mix: 0, stalled: false });
    }
  });

  it('spike and stall are transient; shifts, variance and distribution changes are permanent', () => {
    const spike = injectAnomaly('spike', start, n);
    expect(spike.condition.shift[start]).toBe(INJECTION.spikeUnits);
    expect(spike.condition.shift[start + INJECTION.spikeSteps]).toBe(0);
    expect(spike.end).toBe(start + INJECTION.spikeSteps);
    expect(spike.settled).toBe(spike.end);

    const stall = injectAnomaly('stall', start, n);
    expect(stall.condition.stalled[start + INJECTION.stallSteps - 1]).toBe(1);
    expect(stall.condition.stalled[start + INJECTION.stallSteps]).toBe(0);

    const shift = injectAnomaly('level_shift', start, n);
    expect(shift.condition.shift[n - 1]).toBe(INJECTION.shiftUnits);
    expect(shift.settled).toBe(start);
    expect(shift.end).toBe(start + INJECTION.conditionSteps);

    expect(injectAnomaly('variance_change', start, n).condition.scale[n - 1]).toBe(INJECTION.varianceFactor);
    expect(injectAnomaly('distribution_shift', start, n).condition.mix[n - 1]).toBe(1);
  });

  it('drift ramps linearly over its window and then holds; it settles at the end of the ramp', () => {
    const d = injectAnomaly('drift', start, n);
    expect(d.condition.shift[start]).toBe(0);
    expect(d.condition.shift[start + INJECTION.driftSteps / 2]).toBeCloseTo(INJECTION.driftUnits / 2, 9);
    expect(d.condition.shift[n - 1]).toBe(INJECTION.driftUnits);
    expect(d.settled).toBe(start + INJECTION.driftSteps);
  });

  it('refuses a start outside the series and clamps reads past its end', () => {
    expect(() => injectAnomaly('spike', n, n)).toThrow(/outside/);
    expect(() => injectAnomaly('spike', 1.5, n)).toThrow(/outside/);
    const c = injectAnomaly('level_shift', start, n).condition;
    expect(conditionAt(c, n + 5).shift).toBe(INJECTION.shiftUnits);
  });
});
