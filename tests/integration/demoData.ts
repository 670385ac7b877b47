/** Helpers shared by the integration suites to read the generator's in-memory output. */
import { GeneratedData } from '../../demo/generator/openmetrics';
import { Entity } from '../../demo/generator/types';

export function entitySelector(e: Entity): string {
  return `model="${e.model}",version="${e.version}",region="${e.region}"`;
}

/** Index of a series in `data.layout` by sample name and exact rendered label set. */
export function seriesIndex(data: GeneratedData): (sample: string, labels: string) => number {
  const map = new Map<string, number>();
  data.layout.forEach((s, i) => map.set(`${s.sample}{${s.labels}}`, i));
  return (sample, labels) => {
    const i = map.get(`${sample}{${labels}}`);
    if (i === undefined) {
      throw new Error(`no series ${sample}{${labels}}`);
    }
    return i;
  };
}

/** The bucket series of one histogram (in `le` order, +Inf last) and its le bounds. */
export function bucketSeries(
  data: GeneratedData,
  sample: string,
  labelPrefix: string
): { idx: number[]; le: number[] } {
  const idx: number[] = [];
  const le: number[] = [];
  data.layout.forEach((s, i) => {
    if (s.sample === sample && s.labels.startsWith(labelPrefix + ',le=')) {
      idx.push(i);
      const m = /le="([^"]+)"$/.exec(s.labels)!;
      le.push(m[1] === '+Inf' ? Infinity : Number(m[1]));
    }
  });
  return { idx, le };
}

export function valueAt(data: GeneratedData, series: number, step: number): number {
  return data.values[series * data.times.length + step];
}

/** Increase of each cumulative bucket between steps k0 and k1, turned into per-bin counts. */
export function binCounts(data: GeneratedData, buckets: number[], k0: number, k1: number): number[] {
  const cum = buckets.map((b) => valueAt(data, b, k1) - valueAt(data, b, k0));
  return cum.map((c, i) => c - (i > 0 ? cum[i - 1] : 0));
}

/** Population stability index with empty bins floored (as DESIGN.md prescribes). */
export function psi(ref: number[], cur: number[]): number {
  const rt = ref.reduce((a, b) => a + b, 0);
  const ct = cur.reduce((a, b) => a + b, 0);
  let out = 0;
  for (let i = 0; i < ref.length; i++) {
    const p = Math.max(ref[i] / rt, 1e-4);
    const q = Math.max(cur[i] / ct, 1e-4);
    out += (q - p) * Math.log(q / p);
  }
  return out;
}

/** histogram_quantile's estimate: linear interpolation inside the bucket holding the rank. */
export function quantileFromBins(q: number, bins: number[], le: number[]): number {
  const total = bins.reduce((a, b) => a + b, 0);
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < bins.length; i++) {
    if (cum + bins[i] >= rank) {
      if (!Number.isFinite(le[i])) {
        return le[i - 1];
      }
      const lo = i === 0 ? 0 : le[i - 1];
      return lo + ((le[i] - lo) * (rank - cum)) / Math.max(bins[i], 1e-9);
    }
    cum += bins[i];
  }
  return le[le.length - 2];
}
