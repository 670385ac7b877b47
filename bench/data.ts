/**
 * Deterministic synthetic telemetry for one "model service" entity, 1-minute steps.
 *
 * Every series is generated from its own seed (base seed + series index), so series i is the same
 * bytes whether it is generated alone, in a block of 50, or for the pandas data file.
 *
 * Per entity (15 value columns + one shared time axis):
 *   latency_ms      robust_z      daily shape + gaussian noise + rare heavy-tail spikes
 *   requests        seasonal      daily shape (± 60 %) + weekly dip + Poisson-like noise; traffic dips
 *   confidence      level_shift   mean confidence ~0.85 with noise; sustained level shifts
 *   errors/requests ratio         ~1 % error rate (binomial-like); error bursts
 *   score buckets   histogram_drift  10 cumulative `le` buckets (0.1 … 0.9, +Inf) of a prediction-
 *                                 score histogram, counts per step; distribution drift episodes
 * Anomalies are placed at random positions after the first two days, so detectors see them warm.
 */

import { Rng } from '../demo/generator/prng';

export const STEP_MS = 60_000;
export const T0 = Date.UTC(2024, 0, 1);
export const DAY = 1440;
export const BUCKET_LE = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, Infinity];
export const BUCKETS = BUCKET_LE.length;
/** Value columns per entity, in file order: latency, requests, confidence, errors, then the buckets. */
export const COLUMNS = 4 + BUCKETS;
export const COLUMN_NAMES = ['latency', 'requests', 'confidence', 'errors', ...BUCKET_LE.map((le) => `le_${le}`)];

export interface EntityData {
  t: Float64Array;
  latency: Float64Array;
  requests: Float64Array;
  confidence: Float64Array;
  errors: Float64Array;
  /** cumulative[b][i] = observations <= BUCKET_LE[b] at step i. */
  cumulative: Float64Array[];
  /** Injected anomalies (for the record; the benchmark does not score detection quality). */
  anomalies: Array<{ kind: string; start: number; length: number }>;
}

/** The shared time axis of `n` points. */
export function timeAxis(n: number): Float64Array {
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = T0 + i * STEP_MS;
  }
  return t;
}

function seedOf(base: number, index: number): number {
  // splitmix-style scramble so neighbouring indices get unrelated streams
  let z = (base + Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Probabilities of the 10 score bins for a beta-like shape centred at `centre`. */
function binProbabilities(centre: number, width: number, out: Float64Array): void {
  let sum = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const mid = (b + 0.5) / BUCKETS;
    const w = Math.exp(-0.5 * ((mid - centre) / width) ** 2) + 0.01;
    out[b] = w;
    sum += w;
  }
  for (let b = 0; b < BUCKETS; b++) {
    out[b] /= sum;
  }
}

/**
 * One entity of `n` points. `t` may be shared between entities (it is never written to).
 */
export function generateEntity(index: number, n: number, t: Float64Array, baseSeed = 20240101): EntityData {
  const rng = new Rng(seedOf(baseSeed, index));
  const latency = new Float64Array(n);
  const requests = new Float64Array(n);
  const confidence = new Float64Array(n);
  const errors = new Float64Array(n);
  const cumulative = Array.from({ length: BUCKETS }, () => new Float64Array(n));
  const anomalies: EntityData['anomalies'] = [];

  // Per-entity character.
  const latBase = 80 + 80 * rng.next();
  const latAmp = 0.2 + 0.2 * rng.next();
  const latNoise = 0.05 + 0.05 * rng.next();
  const reqBase = 200 + 1800 * rng.next();
  const reqAmp = 0.4 + 0.2 * rng.next();
  const phase = rng.next() * 2 * Math.PI;
  const confBase = 0.8 + 0.1 * rng.next();
  const errRate = 0.005 + 0.01 * rng.next();
  const scoreCentre = 0.55 + 0.2 * rng.next();

  // Anomaly episodes (positions after two days of history when the series is long enough).
  const lo = Math.min(2 * DAY, Math.floor(n / 2));
  const episode = (kind: string, minLen: number, maxLen: number, p: number) => {
    if (rng.next() < p && n - lo > maxLen + 1) {
      // Rng.int includes its upper bound: length in [minLen, maxLen), start in [lo, n - length).
      const length = rng.int(minLen, maxLen - 1);
      const start = rng.int(lo, n - length - 1);
      anomalies.push({ kind, start, length });
      return { start, end: start + length };
    }
    return { start: -1, end: -1 };
  };
  const dip = episode('traffic_dip', 30, 120, 0.5);
  const shift = episode('confidence_shift', 240, 1440, 0.5);
  const burst = episode('error_burst', 10, 60, 0.5);
  const drift = episode('score_drift', 120, 720, 0.5);
  const spikeProb = 0.0005; // ~5 latency spikes a week

  const probs = new Float64Array(BUCKETS);
  const drifted = new Float64Array(BUCKETS);
  binProbabilities(scoreCentre, 0.18, probs);
  binProbabilities(scoreCentre - 0.15, 0.22, drifted);

  for (let i = 0; i < n; i++) {
    const dayPhase = (2 * Math.PI * (i % DAY)) / DAY + phase;
    const daily = Math.sin(dayPhase) + 0.3 * Math.sin(2 * dayPhase);
    const weekday = Math.floor(i / DAY) % 7;
    const weekly = weekday >= 5 ? 0.8 : 1;

    // Requests per minute: seasonal, Poisson-like noise, occasional dip.
    let mean = reqBase * weekly * (1 + reqAmp * daily * 0.77);
    if (i >= dip.start && i < dip.end) {
      mean *= 0.45;
    }
    const req = Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
    requests[i] = req;

    // Latency: follows load, multiplicative noise, rare spikes.
    let lat = latBase * (1 + latAmp * 0.5 * daily) * (1 + latNoise * rng.normal());
    if (rng.next() < spikeProb) {
      lat *= 2 + 3 * rng.next();
    }
    latency[i] = lat;

    // Mean confidence: noise, sustained shift.
    let conf = confBase + 0.01 * rng.normal();
    if (i >= shift.start && i < shift.end) {
      conf -= 0.04;
    }
    confidence[i] = conf;

    // Errors of requests: binomial via normal approximation.
    const p = i >= burst.start && i < burst.end ? errRate * 5 : errRate;
    const e = req * p;
    errors[i] = Math.min(req, Math.max(0, Math.round(e + Math.sqrt(e * (1 - p)) * rng.normal())));

    // Prediction-score histogram of this step's requests, cumulative per le.
    const bins = i >= drift.start && i < drift.end ? drifted : probs;
    let cum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const m = req * bins[b];
      cum += Math.max(0, Math.round(m + Math.sqrt(m) * rng.normal()));
      cumulative[b][i] = cum;
    }
  }
  return { t, latency, requests, confidence, errors, cumulative, anomalies };
}

/** The value columns of an entity in file order (see COLUMNS). */
export function columnsOf(e: EntityData): Float64Array[] {
  return [e.latency, e.requests, e.confidence, e.errors, ...e.cumulative];
}
