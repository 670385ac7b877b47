/**
 * Healthy (and injected) input of the `calibration` kind: a confidence histogram and the same
 * histogram of correct predictions, from a calibrated classifier whose confidence distribution the
 * noise shape drives.
 *
 *   predictions   n ~ Poisson(V·F(t)·Δt/step), V = 120 a step (poisson_low: 3); 0 while stalled
 *   confidence    per prediction logit c = logit 0.8 + 0.3·z_i + ε, ε ~ N(0, 1): the driver moves
 *                 where the confidences sit (iid, heavy-tailed, autocorrelated per shape) — the model
 *                 stays calibrated wherever they sit
 *   outcome       correct ~ Bernoulli(clamp(c − 0.02·shift_i, 0, 1)): calibrated when shift = 0; one
 *                 noise unit = an accuracy 2 points below the confidence (level_shift: 8 points)
 *   over-confidence (distribution_shift): the reported confidence is sharpened,
 *                 logit c' = (1 + mix_i)·logit c (temperature ½ at mix = 1), the outcome still
 *                 follows c; predictions are bucketed by the reported c'
 *   layout        le 0.1, 0.2 … 0.9, +Inf; histogram_quantile: le 0.5, 0.9, +Inf (coarse buckets, whose
 *                 mid-point confidences make even a calibrated model show a constant gap)
 * Rows, gaps and counters follow counts.ts (counter_resets: `increase(...[1m])` of every bucket of
 * both histograms). variance_change is not meaningful here (a calibrated model with more variable
 * confidences is still calibrated), so scale is not used.
 */
import type { CalibrationInput } from '../../types';
import { countRows } from './counts';
import { profileFactor, SHAPE_TRAITS, type NoiseShape } from './noise';
import { driverOf, scheduleOf, stream, type SeriesContext } from './series';

export const CALIBRATION = {
  volume: 120,
  lowVolume: 3,
  meanConfidence: 0.8,
  locationUnit: 0.3,
  spread: 1,
  gapUnit: 0.02,
} as const;

export const CALIBRATION_LE: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, Infinity];
export const COARSE_CALIBRATION_LE: readonly number[] = [0.5, 0.9, Infinity];

export function calibrationLayout(shape: NoiseShape): readonly number[] {
  return SHAPE_TRAITS[shape].observation === 'bucket_quantile' ? COARSE_CALIBRATION_LE : CALIBRATION_LE;
}

export function buildCalibrationInput(shape: NoiseShape, ctx: SeriesContext): CalibrationInput {
  const traits = SHAPE_TRAITS[shape];
  const le = calibrationLayout(shape);
  const k = le.length;
  const z = driverOf(shape, ctx, 'calibration');
  const rng = stream(ctx, 'calibration', shape, 'counts');
  const volume = traits.observation === 'low_count' ? CALIBRATION.lowVolume : CALIBRATION.volume;
  const baseLogit = Math.log(CALIBRATION.meanConfidence / (1 - CALIBRATION.meanConfidence));
  const edgeLogits = le.map((x) => (x >= 1 ? Infinity : Math.log(x / (1 - x))));
  const totalBins = new Float64Array(k);
  const correctBins = new Float64Array(k);
  const { shift, mix, stalled } = ctx.condition;
  const rows = countRows(
    traits.observation,
    ctx,
    scheduleOf(shape, ctx, 'calibration'),
    2 * k,
    (step, from, to, out) => {
      if (stalled[step] === 1) {
        return;
      }
      const n = rng.poisson((volume * profileFactor(traits.profile, from, ctx.startMs) * (to - from)) / ctx.stepMs);
      if (n === 0) {
        return;
      }
      totalBins.fill(0);
      correctBins.fill(0);
      const location = baseLogit + CALIBRATION.locationUnit * z[step];
      const gap = CALIBRATION.gapUnit * shift[step];
      const sharpen = 1 + mix[step];
      for (let p = 0; p < n; p++) {
        const l = location + CALIBRATION.spread * rng.normal();
        const c = 1 / (1 + Math.exp(-l));
        // Reported c' = logistic(sharpen·l) > le_b ⇔ sharpen·l > logit le_b: bucket on logits.
        const reportedLogit = sharpen * l;
        let b = 0;
        while (b < k - 1 && reportedLogit > edgeLogits[b]) {
          b++;
        }
        totalBins[b]++;
        if (rng.next() < c - gap) {
          correctBins[b]++;
        }
      }
      let total = 0;
      let correct = 0;
      for (let b = 0; b < k; b++) {
        total += totalBins[b];
        correct += correctBins[b];
        out[b] += total;
        out[k + b] += correct;
      }
    },
    'calibration'
  );
  return {
    type: 'calibration',
    t: rows.t,
    le: Float64Array.from(le),
    total: rows.counts.slice(0, k),
    correct: rows.counts.slice(k),
  };
}
