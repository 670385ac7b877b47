/** Helpers for the detector tests (imported by *.test.ts only). */
import {
  BucketInput,
  CalibrationInput,
  Detector,
  DetectorResult,
  POINT_OK,
  RatioInput,
  SignalInput,
  ValueInput,
} from '../types';

export const STEP_MS = 60_000;
export const T0 = 1_700_000_000_000;

export function timeAxis(n: number, stepMs = STEP_MS, t0 = T0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => t0 + i * stepMs);
}

export function valueInput(values: ArrayLike<number>, stepMs = STEP_MS): ValueInput {
  return { type: 'value', t: timeAxis(values.length, stepMs), value: Float64Array.from(values) };
}

export function ratioInput(num: ArrayLike<number>, den: ArrayLike<number>): RatioInput {
  return { type: 'ratio', t: timeAxis(num.length), num: Float64Array.from(num), den: Float64Array.from(den) };
}

/** rows[i] = cumulative counts per `le` at point i. */
export function bucketInput(le: number[], rows: number[][]): BucketInput {
  return {
    type: 'buckets',
    t: timeAxis(rows.length),
    le: Float64Array.from(le),
    cumulative: le.map((_, j) => Float64Array.from(rows.map((r) => r[j]))),
  };
}

export function calibrationInput(le: number[], total: number[][], correct: number[][]): CalibrationInput {
  return {
    type: 'calibration',
    t: timeAxis(total.length),
    le: Float64Array.from(le),
    total: le.map((_, j) => Float64Array.from(total.map((r) => r[j]))),
    correct: le.map((_, j) => Float64Array.from(correct.map((r) => r[j]))),
  };
}

/** Points [from, to) of an input, every column sliced alike. */
export function sliceInput(input: SignalInput, from: number, to: number): SignalInput {
  const t = input.t.slice(from, to);
  switch (input.type) {
    case 'value':
      return { type: 'value', t, value: input.value.slice(from, to) };
    case 'ratio':
      return { type: 'ratio', t, num: input.num.slice(from, to), den: input.den.slice(from, to) };
    case 'buckets':
      return { type: 'buckets', t, le: input.le, cumulative: input.cumulative.map((c) => c.slice(from, to)) };
    case 'calibration':
      return {
        type: 'calibration',
        t,
        le: input.le,
        total: input.total.map((c) => c.slice(from, to)),
        correct: input.correct.map((c) => c.slice(from, to)),
      };
  }
}

const FIELDS = ['t', 'statistic', 'severity', 'expected', 'lower', 'upper', 'support'] as const;

/** Feeds the input in chunks cut at `cuts` (sorted indices) and concatenates the results. */
export function runChunked(detector: Detector, input: SignalInput, cuts: number[]): DetectorResult {
  const n = input.t.length;
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < n), n];
  const parts: DetectorResult[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    parts.push(detector.process(sliceInput(input, bounds[k], bounds[k + 1])));
  }
  const out: Record<string, Float64Array | Uint8Array> = {};
  for (const f of FIELDS) {
    out[f] = concat(parts.map((p) => p[f]));
  }
  out.status = Uint8Array.from(parts.flatMap((p) => Array.from(p.status)));
  return out as unknown as DetectorResult;
}

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** First difference between two results under Object.is (NaN equals NaN, 0 differs from -0). */
export function firstDifference(a: DetectorResult, b: DetectorResult): string | undefined {
  for (const f of [...FIELDS, 'status' as const]) {
    const x = a[f];
    const y = b[f];
    if (x.length !== y.length) {
      return `${f}: length ${x.length} vs ${y.length}`;
    }
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) {
        return `${f}[${i}]: ${x[i]} vs ${y[i]}`;
      }
    }
  }
  return undefined;
}

/** Invariants every result must satisfy; returns a description of the first violation. */
export function invariantViolation(r: DetectorResult): string | undefined {
  for (let i = 0; i < r.t.length; i++) {
    const s = r.severity[i];
    if (r.status[i] === POINT_OK) {
      if (!(s >= 0 && s <= 1)) {
        return `severity[${i}] = ${s} at an OK point`;
      }
      if (Number.isNaN(r.statistic[i])) {
        return `statistic[${i}] is NaN at an OK point`;
      }
    } else if (!Number.isNaN(s)) {
      return `severity[${i}] = ${s} at a point with status ${r.status[i]}`;
    }
  }
  return undefined;
}

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic standard normal noise (mulberry32 + Box–Muller). */
export function gaussian(n: number, seed = 42): Float64Array {
  const uniform = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(uniform(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  }
  return out;
}

export function countWhere(a: ArrayLike<number>, pred: (x: number, i: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (pred(a[i], i)) {
      n++;
    }
  }
  return n;
}
