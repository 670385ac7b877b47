import { DataFrame, DataTopic, FieldType } from '@grafana/data';

/** One upstream series: its labels and its points (epoch ms, NaN for missing values). */
export interface LabeledSeries {
  labels: Record<string, string>;
  t: Float64Array;
  v: Float64Array;
}

function toNumber(x: unknown): number {
  if (typeof x === 'number') {
    return x;
  }
  // Prometheus sends "NaN", "+Inf" as strings in its API; Grafana turns them into numbers, but be
  // lenient with frames that kept strings.
  if (typeof x === 'string' && x.trim() !== '') {
    const n = Number(x.replace(/^\+?Inf$/i, 'Infinity').replace(/^-Inf$/i, '-Infinity'));
    return n;
  }
  return NaN;
}

/**
 * Reads every numeric series out of upstream frames as Grafana's Prometheus and Loki data sources
 * return them: `timeseries-multi` (one Time and one Value field with labels per frame) and
 * `timeseries-wide` (one Time field, several labelled number fields). Frames of the annotations topic
 * (Loki's query-splitting progress) and frames without a time field are skipped.
 */
export function seriesFromFrames(frames: readonly DataFrame[]): LabeledSeries[] {
  const out: LabeledSeries[] = [];
  for (const frame of frames) {
    if (frame.meta?.dataTopic === DataTopic.Annotations) {
      continue;
    }
    const time = frame.fields.find((f) => f.type === FieldType.time);
    if (!time) {
      continue;
    }
    const n = time.values.length;
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const raw = time.values[i];
      t[i] = typeof raw === 'number' ? raw : raw instanceof Date ? raw.getTime() : toNumber(raw);
    }
    for (const field of frame.fields) {
      if (field.type !== FieldType.number) {
        continue;
      }
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        v[i] = toNumber(field.values[i]);
      }
      out.push({ labels: { ...(field.labels ?? {}) }, t, v });
    }
  }
  return out;
}

/** The time grid the scores are computed on: multiples of `stepMs` within [fromMs, toMs]. */
export function timeGrid(fromMs: number, toMs: number, stepMs: number): Float64Array {
  if (!(stepMs > 0) || !(toMs >= fromMs)) {
    return new Float64Array(0);
  }
  const first = Math.ceil(fromMs / stepMs) * stepMs;
  const n = first > toMs ? 0 : Math.floor((toMs - first) / stepMs) + 1;
  const grid = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    grid[i] = first + i * stepMs;
  }
  return grid;
}

/**
 * Resamples a series onto the grid: each grid point takes the latest sample in (g - step, g]
 * (how Prometheus evaluates a range query at step boundaries), NaN when there is none. Input
 * samples may be unordered or duplicated; for equal timestamps the last one in input order wins.
 */
export function resample(series: Pick<LabeledSeries, 't' | 'v'>, grid: Float64Array, stepMs: number): Float64Array {
  const out = new Float64Array(grid.length).fill(NaN);
  const bestT = new Float64Array(grid.length).fill(-Infinity);
  if (grid.length === 0) {
    return out;
  }
  const first = grid[0];
  for (let i = 0; i < series.t.length; i++) {
    const ts = series.t[i];
    if (!Number.isFinite(ts)) {
      continue;
    }
    // The grid point whose (g - step, g] window holds ts.
    const k = Math.ceil((ts - first) / stepMs);
    if (k < 0 || k >= grid.length) {
      continue;
    }
    if (ts >= bestT[k]) {
      bestT[k] = ts;
      out[k] = series.v[i];
    }
  }
  return out;
}
