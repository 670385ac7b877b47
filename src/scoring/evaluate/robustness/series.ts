/**
 * What every input builder is given: the series' extent (start, n steps of stepMs), the seed, the
 * anomaly condition per step, and helpers to derive its random streams and time axis.
 *
 * Streams are derived from (seed, purpose…), never shared between purposes, so a healthy series
 * and the same series with an injection draw identical numbers until the injection starts: the
 * anomaly is the only difference between them.
 */
import { Rng } from '../../util/prng';
import type { Condition } from './anomalies';
import { SHAPE_TRAITS, standardNoise, type NoiseShape } from './noise';
import { irregularSchedule, regularSchedule, type Schedule } from './schedule';

export interface SeriesContext {
  seed: number;
  /** Epoch ms of step 0; a Monday 00:00 UTC (the weekly profile counts from it). */
  startMs: number;
  n: number;
  stepMs: number;
  condition: Condition;
}

/** A Monday 00:00 UTC, the origin of every synthetic series. */
export const SERIES_ORIGIN_MS = Date.UTC(2024, 0, 1);

export function stream(ctx: SeriesContext, ...purpose: Array<string | number>): Rng {
  return Rng.derive(ctx.seed, ...purpose);
}

/** Nominal step of a time (clamped to the series). */
export function stepOf(ctx: SeriesContext, tMs: number): number {
  const i = Math.floor((tMs - ctx.startMs) / ctx.stepMs);
  return Math.min(ctx.n - 1, Math.max(0, i));
}

/** The shape's standardised driver, one value per step (see noise.ts). */
export function driverOf(shape: NoiseShape, ctx: SeriesContext, purpose: string): Float64Array {
  return standardNoise(SHAPE_TRAITS[shape].driver, ctx.n, stream(ctx, purpose, shape, 'driver'));
}

/** The rows of the shape's input: irregular for irregular_scrapes, the step grid otherwise. */
export function scheduleOf(shape: NoiseShape, ctx: SeriesContext, purpose: string): Schedule {
  return SHAPE_TRAITS[shape].observation === 'irregular'
    ? irregularSchedule(ctx.startMs, ctx.n, ctx.stepMs, stream(ctx, purpose, shape, 'schedule'))
    : regularSchedule(ctx.startMs, ctx.n, ctx.stepMs);
}

/** The step grid's timestamps (where PromQL range queries are evaluated). */
export function stepTimes(ctx: SeriesContext): Float64Array {
  return Float64Array.from({ length: ctx.n }, (_, i) => ctx.startMs + i * ctx.stepMs);
}
