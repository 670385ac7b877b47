/**
 * Several seeds of the demo evaluation: the `--seeds` syntax and the mean / worst figures of the
 * multi-seed contract line (DESIGN §6: worst = lowest precision, lowest recall and highest median
 * time to detect over the seeds, each taken on its own).
 */

/** `1-5`, `1,3,7`, `1-3,9` -> [1, 2, 3, 9]; duplicates dropped, order kept. Throws on anything else. */
export function parseSeeds(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a || b - a > 1000) {
        throw new Error(`--seeds: bad range ${part} (from <= to, at most 1000 seeds)`);
      }
      for (let s = a; s <= b; s++) {
        out.push(s);
      }
    } else if (/^\d+$/.test(part)) {
      out.push(Number(part));
    } else {
      throw new Error(`--seeds: cannot read "${part}" (expected e.g. 1-5 or 1,3,7)`);
    }
  }
  return [...new Set(out)];
}

export interface SeedFigures {
  precision: number;
  recall: number;
  median_ttd_steps: number;
}

const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));

/**
 * Mean and worst over seeds. A seed without alerts has no precision (NaN) and one that detects
 * nothing has no time to detect: the mean skips them; the worst counts a missing precision or recall
 * as 0 (nothing was found) and a missing time to detect as no figure (NaN when no seed has one).
 */
export function summariseSeeds(rows: readonly SeedFigures[]): { mean: SeedFigures; worst: SeedFigures } {
  const mean = (xs: number[]) => (finite(xs).length ? finite(xs).reduce((a, b) => a + b, 0) / finite(xs).length : NaN);
  const orZero = (x: number) => (Number.isFinite(x) ? x : 0);
  const ttds = finite(rows.map((r) => r.median_ttd_steps));
  return {
    mean: {
      precision: mean(rows.map((r) => r.precision)),
      recall: mean(rows.map((r) => r.recall)),
      median_ttd_steps: mean(rows.map((r) => r.median_ttd_steps)),
    },
    worst: {
      precision: rows.length ? Math.min(...rows.map((r) => orZero(r.precision))) : NaN,
      recall: rows.length ? Math.min(...rows.map((r) => orZero(r.recall))) : NaN,
      median_ttd_steps: ttds.length ? Math.max(...ttds) : NaN,
    },
  };
}
