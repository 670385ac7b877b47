/**
 * Healthy (and injected) input of the `staleness` kind: a `*_timestamp_seconds` gauge of a batch
 * job — the watermark of the newest data a finished run covered (e.g. "labelled up to") — with a
 * healthy cadence and the noise shape in its timing.
 *
 *   triggers   a schedule every 5 min (poisson_low: event-driven, Poisson arrivals at 1 a minute)
 *   runs       sequential, like a CronJob with concurrencyPolicy Forbid: a run starts at the first
 *              trigger at or after the previous run's completion and takes
 *              d = max(5 s, 60 s·F(t) + 20 s·scale·z), so the driver z jitters the run time (iid,
 *              heavy-tailed, autocorrelated, daily shape per shape)
 *   watermark  a run started at s covers the data up to s − 600 s·shift: an injection delays the
 *              data, not the schedule (one noise unit = 10 min; level_shift: 40 min behind, spike:
 *              the runs of 5 minutes 100 min behind, drift: up to 60 min)
 *   stall      triggers inside the stall do not start a run
 *   gauge      at each row: the watermark (epoch seconds) of the newest finished run, so healthy
 *              lags (row time − gauge) are 1–6 minutes
 *   counter_resets  the exporter restarts about twice a day (prometheusModel COUNTER_DEFAULTS):
 *              rows during its 20–60 s downtime are NaN, and after a restart the gauge reads 0
 *              (client libraries initialise gauges to 0) until the next run completes — the real
 *              artefact `time() - x_timestamp_seconds` alerts trip over
 *   irregular_scrapes  the gauge is read at the jittered rows of schedule.ts, NaN in stretches
 * histogram_quantile is not a meaningful shape for a timestamp gauge (see applicability.ts).
 */
import type { ValueInput } from '../../types';
import { profileFactor, SHAPE_TRAITS, type NoiseShape } from './noise';
import { COUNTER_DEFAULTS } from './prometheusModel';
import { driverOf, scheduleOf, stepOf, stream, type SeriesContext } from './series';

export const TIMESTAMP = {
  cadenceMs: 300_000,
  eventRatePerMs: 1 / 60_000,
  runMs: 60_000,
  jitterMs: 20_000,
  minRunMs: 5_000,
  shiftUnitMs: 600_000,
} as const;

export interface JobRuns {
  /** Completion times (ms), ascending. */
  completedAt: Float64Array;
  /** Watermark (ms) each run publishes when it completes. */
  watermark: Float64Array;
}

/** The job's runs over the series. */
export function jobRuns(shape: NoiseShape, ctx: SeriesContext): JobRuns {
  const traits = SHAPE_TRAITS[shape];
  const z = driverOf(shape, ctx, 'timestamp');
  const rng = stream(ctx, 'timestamp', shape, 'triggers');
  const { shift, scale, stalled } = ctx.condition;
  const end = ctx.startMs + ctx.n * ctx.stepMs;
  const completedAt: number[] = [];
  const watermark: number[] = [];
  let busyUntil = -Infinity;
  let trigger = ctx.startMs;
  const nextTrigger = (t: number) =>
    traits.observation === 'low_count' ? t + rng.exponential() / TIMESTAMP.eventRatePerMs : t + TIMESTAMP.cadenceMs;
  for (; trigger < end; trigger = nextTrigger(trigger)) {
    const i = stepOf(ctx, trigger);
    if (trigger < busyUntil || stalled[i] === 1) {
      continue;
    }
    const run =
      TIMESTAMP.runMs * profileFactor(traits.profile, trigger, ctx.startMs) + TIMESTAMP.jitterMs * scale[i] * z[i];
    busyUntil = trigger + Math.max(TIMESTAMP.minRunMs, run);
    completedAt.push(busyUntil);
    watermark.push(trigger - TIMESTAMP.shiftUnitMs * shift[i]);
  }
  return { completedAt: Float64Array.from(completedAt), watermark: Float64Array.from(watermark) };
}

export function buildTimestampInput(shape: NoiseShape, ctx: SeriesContext): ValueInput {
  const traits = SHAPE_TRAITS[shape];
  const runs = jobRuns(shape, ctx);
  const rows = scheduleOf(shape, ctx, 'timestamp');
  const restarts = traits.observation === 'counter' ? exporterRestarts(ctx) : [];
  const value = new Float64Array(rows.t.length);
  let done = 0; // completions at or before the row
  let restart = 0; // restarts at or before the row
  let lastWatermark = ctx.startMs - TIMESTAMP.cadenceMs; // the run before the series began
  let lastCompletion = -Infinity;
  let lastRestart = -Infinity;
  let downUntil = -Infinity;
  for (let r = 0; r < rows.t.length; r++) {
    const t = rows.t[r];
    while (done < runs.completedAt.length && runs.completedAt[done] <= t) {
      lastCompletion = runs.completedAt[done];
      lastWatermark = runs.watermark[done++];
    }
    while (restart < restarts.length && restarts[restart].at <= t) {
      lastRestart = restarts[restart].at;
      downUntil = restarts[restart].upAt;
      restart++;
    }
    if (rows.missing[r] === 1 || t < downUntil) {
      value[r] = NaN;
    } else {
      // After a restart the gauge is 0 until a run completes again (the restart wiped it).
      value[r] = lastRestart > lastCompletion ? 0 : lastWatermark / 1000;
    }
  }
  return { type: 'value', t: rows.t, value };
}

function exporterRestarts(ctx: SeriesContext): Array<{ at: number; upAt: number }> {
  const rng = stream(ctx, 'timestamp', 'counter_resets', 'restarts');
  const end = ctx.startMs + ctx.n * ctx.stepMs;
  const out: Array<{ at: number; upAt: number }> = [];
  let at = ctx.startMs + COUNTER_DEFAULTS.restartMeanMs * rng.exponential();
  while (at < end) {
    const upAt = at + rng.uniform(COUNTER_DEFAULTS.downtimeMs[0], COUNTER_DEFAULTS.downtimeMs[1]);
    out.push({ at, upAt });
    at = upAt + COUNTER_DEFAULTS.restartMeanMs * rng.exponential();
  }
  return out;
}
