/**
 * The healthy noise shapes of the robustness suite, as two parts every input builder shares:
 *
 * 1. A standardised driver z_i per step, robust scale 1 (1.4826·MAD = 1 for the marginal), so that
 *    an injected "4 units" means the same thing on every driver:
 *      gaussian     z_i ~ N(0, 1) iid
 *      student_t2   z_i = T_i / (1.4826·sqrt(2/3)), T_i Student-t with ν = 2 iid (infinite variance;
 *                   sqrt(2/3) is the median of |T|)
 *      ar1          z_i = φ·z_{i−1} + sqrt(1 − φ²)·ε_i, φ = 0.95, ε ~ N(0, 1), z_0 ~ N(0, 1):
 *                   stationary N(0, 1) marginal, correlation φ^k (≈ 20 steps to decorrelate)
 * 2. A deterministic profile F(t) ≈ 1 that multiplies the level or volume:
 *      none                 F = 1
 *      daily                F = 1 + 0.25·sin(2π(h − 9)/24), h = hour of day UTC (peak 15:00)
 *      daily_weekly_trend   daily × (1 − 0.2·weekend(t)) × (1 + 0.005·days since start), where
 *                           weekend(t) is a logistic bump over Saturday and Sunday with ~4 h
 *                           transitions (so a same-time-yesterday baseline is wrong on weekends)
 *
 * Which driver, profile and observation model each shape uses (the observation model is what the
 * input builders do: counts, buckets, counters, scrape times):
 *
 *   shape               driver      profile              observation
 *   gaussian            gaussian    none                 direct
 *   student_t2          student_t2  none                 direct
 *   ar1                 ar1         none                 direct
 *   seasonal_trend      gaussian    daily_weekly_trend   direct
 *   poisson_low         gaussian    none                 low counts (≤ 5 events a step on average)
 *   histogram_quantile  gaussian    none                 coarse histogram buckets / histogram_quantile
 *   counter_resets      gaussian    none                 counters scraped every 15 s, restarts, PromQL increase/rate
 *   irregular_scrapes   gaussian    daily                jittered timestamps, dropped scrapes, missing stretches
 */
import { Rng } from '../../util/prng';

export type NoiseShape =
  | 'gaussian'
  | 'student_t2'
  | 'ar1'
  | 'seasonal_trend'
  | 'poisson_low'
  | 'histogram_quantile'
  | 'counter_resets'
  | 'irregular_scrapes';

export const NOISE_SHAPES: readonly NoiseShape[] = [
  'gaussian',
  'student_t2',
  'ar1',
  'seasonal_trend',
  'poisson_low',
  'histogram_quantile',
  'counter_resets',
  'irregular_scrapes',
];

export type NoiseDriver = 'gaussian' | 'student_t2' | 'ar1';
export type Profile = 'none' | 'daily' | 'daily_weekly_trend';
export type Observation = 'direct' | 'low_count' | 'bucket_quantile' | 'counter' | 'irregular';

export interface ShapeTraits {
  driver: NoiseDriver;
  profile: Profile;
  observation: Observation;
}

export const SHAPE_TRAITS: Readonly<Record<NoiseShape, ShapeTraits>> = {
  gaussian: { driver: 'gaussian', profile: 'none', observation: 'direct' },
  student_t2: { driver: 'student_t2', profile: 'none', observation: 'direct' },
  ar1: { driver: 'ar1', profile: 'none', observation: 'direct' },
  seasonal_trend: { driver: 'gaussian', profile: 'daily_weekly_trend', observation: 'direct' },
  poisson_low: { driver: 'gaussian', profile: 'none', observation: 'low_count' },
  histogram_quantile: { driver: 'gaussian', profile: 'none', observation: 'bucket_quantile' },
  counter_resets: { driver: 'gaussian', profile: 'none', observation: 'counter' },
  irregular_scrapes: { driver: 'gaussian', profile: 'daily', observation: 'irregular' },
};

export const AR1_PHI = 0.95;
/** 1.4826·median|T| for Student-t ν = 2: divides T to robust scale 1. */
export const STUDENT_T2_ROBUST_SCALE = 1.482602218505602 * Math.sqrt(2 / 3);

/** n standardised driver values (robust scale 1), from their own stream. */
export function standardNoise(driver: NoiseDriver, n: number, rng: Rng): Float64Array {
  const z = new Float64Array(n);
  switch (driver) {
    case 'gaussian':
      for (let i = 0; i < n; i++) {
        z[i] = rng.normal();
      }
      break;
    case 'student_t2':
      for (let i = 0; i < n; i++) {
        z[i] = rng.studentT2() / STUDENT_T2_ROBUST_SCALE;
      }
      break;
    case 'ar1': {
      const innovation = Math.sqrt(1 - AR1_PHI * AR1_PHI);
      let x = rng.normal();
      for (let i = 0; i < n; i++) {
        z[i] = x;
        x = AR1_PHI * x + innovation * rng.normal();
      }
      break;
    }
  }
  return z;
}

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/** Logistic 1 / (1 + e^−x). */
function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** ≈ 1 over Saturday and Sunday, ≈ 0 on weekdays; `day` = days since a Monday 00:00 UTC, in [0, 7). */
export function weekendWeight(day: number): number {
  const bump = (d: number) => logistic(12 * (d - 5)) - logistic(12 * (d - 7));
  return bump(day) + bump(day + 7);
}

/**
 * The profile F at time t; `originMs` must be a Monday 00:00 UTC (the weekend and trend count from
 * it).
 */
export function profileFactor(profile: Profile, tMs: number, originMs: number): number {
  if (profile === 'none') {
    return 1;
  }
  const days = (tMs - originMs) / DAY_MS;
  const hour = (((days % 1) + 1) % 1) * 24;
  const daily = 1 + 0.25 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
  if (profile === 'daily') {
    return daily;
  }
  const dayOfWeek = ((days % 7) + 7) % 7;
  return daily * (1 - 0.2 * weekendWeight(dayOfWeek)) * (1 + 0.005 * days);
}
