/**
 * Time axes of the synthetic series: which rows exist, at which timestamps, and which nominal step
 * (driver value, anomaly condition) each row carries.
 *
 * regular:   row i at start + i·step, every step present.
 * irregular: the way a scraped series looks when scrapes are late, fail or stop for a while:
 *   - jitter: row i at start + (i + u_i)·step, u_i ~ U(−0.3, 0.3) (rows stay in order: |u| < ½);
 *   - dropped scrapes: each row is absent with probability 1 % (no row at all: detectors that count
 *     windows in points see a shorter window);
 *   - missing stretches: at each step a stretch starts with probability 6 per day; it lasts
 *     2 + ⌊Exp(mean 3)⌋ steps, at most 15, and its rows are present with a NaN value (a null in a
 *     data frame joined with other series on the step grid).
 * Stretches are capped at 15 minutes so that "healthy" means scrape trouble, not an outage: the
 * staleness detector's lag during the longest stretch stays well below the lags it is built to
 * flag (an outage is the stall injection's job).
 */
import { Rng } from '../../util/prng';

export interface Schedule {
  /** Row timestamps (epoch ms), ascending. */
  t: Float64Array;
  /** Nominal step index of each row: the driver value and anomaly condition it carries. */
  step: Int32Array;
  /** 1 where the row lies in a missing stretch: its value is NaN. */
  missing: Uint8Array;
}

export const IRREGULAR = {
  jitter: 0.3,
  dropProbability: 0.01,
  stretchesPerDay: 6,
  stretchMinSteps: 2,
  stretchMeanExtraSteps: 3,
  stretchMaxSteps: 15,
} as const;

export function regularSchedule(startMs: number, n: number, stepMs: number): Schedule {
  const t = new Float64Array(n);
  const step = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = startMs + i * stepMs;
    step[i] = i;
  }
  return { t, step, missing: new Uint8Array(n) };
}

export function irregularSchedule(startMs: number, n: number, stepMs: number, rng: Rng): Schedule {
  const t: number[] = [];
  const step: number[] = [];
  const missing: number[] = [];
  const stretchStart = IRREGULAR.stretchesPerDay / (86_400_000 / stepMs);
  let stretchLeft = 0;
  let previousInStretch = false;
  for (let i = 0; i < n; i++) {
    const jitter = rng.uniform(-IRREGULAR.jitter, IRREGULAR.jitter);
    const dropped = rng.next() < IRREGULAR.dropProbability;
    const startsStretch = rng.next() < stretchStart;
    // A new stretch may not start right where one ended: back-to-back stretches would be one
    // longer than the cap.
    if (stretchLeft === 0 && !previousInStretch && startsStretch) {
      stretchLeft = Math.min(
        IRREGULAR.stretchMaxSteps,
        IRREGULAR.stretchMinSteps + Math.floor(IRREGULAR.stretchMeanExtraSteps * rng.exponential())
      );
    }
    const inStretch = stretchLeft > 0;
    if (inStretch) {
      stretchLeft--;
    }
    previousInStretch = inStretch;
    if (dropped && !inStretch) {
      continue;
    }
    t.push(startMs + (i + jitter) * stepMs);
    step.push(i);
    missing.push(inStretch ? 1 : 0);
  }
  return { t: Float64Array.from(t), step: Int32Array.from(step), missing: Uint8Array.from(missing) };
}
