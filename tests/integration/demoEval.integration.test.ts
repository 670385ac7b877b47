/** @jest-environment node */
// The demo week scored end to end through the real data source pipeline and a real Prometheus
// (scripts/demo-eval.ts in a child process: the simulator and the engine run much slower inside
// jest's VM): demo/spec.yaml on the default seed (single-seed contract line) and on two tuning seeds
// (multi-seed contract line), plus the pure parts of the multi-seed mode.
//
// Thresholds are what was measured, with the margin each can justify (demo/README.md "Tuning the
// demo spec" has the tables): recall is 1.0 on seeds 1-5, 7 and 42, so >= 0.95 allows one missed
// incident of 18; precision is 1.0 on seeds 1 and 2 and 0.91 on the default seed 42 (two one-minute
// blips at night among 23 alerts), so >= 0.9 here and >= 0.95 on the tuning seeds; the median time to
// detect is 3.5-4 steps on every seed (input drift and calibration decay ramp over up to 3 h, and
// the step incidents take 0-7 steps), so <= 4 (the target of 3 assumed the old, stepped
// incidents).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSeeds, summariseSeeds } from '../../demo/eval/seeds';
import { prometheusAvailable } from './prometheus';

const ROOT = path.resolve(__dirname, '..', '..');
const describeProm = prometheusAvailable() || process.env.CI ? describe : describe.skip;
const KINDS = ['calibration_gap', 'error_burst', 'input_drift', 'labelling_delay', 'latency_spike', 'prediction_shift'];

interface KindFigures {
  incidents: number;
  detected: number;
  recall: number;
  median_ttd_steps: number;
}

interface Figures {
  precision: number;
  recall: number;
  median_ttd_steps: number;
  benign_escalations: number;
  per_kind: Record<string, KindFigures>;
  errors: string[];
}

interface SeedFigures {
  precision: number | null;
  recall: number | null;
  median_ttd_steps: number | null;
}

interface MultiSeedFigures {
  spec: string;
  seeds: number[];
  mean: SeedFigures;
  worst: SeedFigures;
  per_seed: Array<SeedFigures & { seed: number; benign_escalations: number; per_kind: Record<string, KindFigures> }>;
  errors: string[];
}

/** Runs scripts/demo-eval.ts with args; returns its stdout and the --json-out figures. */
function demoEval<T>(args: string[]): { stdout: string; figures: T } {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'anomalyscore-eval-')), 'figures.json');
  const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/demo-eval.ts', ...args, '--json-out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    throw new Error(`demo-eval ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  }
  const figures = JSON.parse(fs.readFileSync(out, 'utf8')) as T;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return { stdout: r.stdout, figures };
}

describe('demo:eval --seeds: seed lists and the mean / worst figures', () => {
  it('reads ranges and lists, drops duplicates and rejects anything else', () => {
    expect(parseSeeds('1-5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeeds('1,3,7')).toEqual([1, 3, 7]);
    expect(parseSeeds('1-3, 9, 2')).toEqual([1, 2, 3, 9]);
    expect(() => parseSeeds('5-1')).toThrow(/bad range/);
    expect(() => parseSeeds('1;2')).toThrow(/cannot read/);
    expect(() => parseSeeds('a-b')).toThrow(/cannot read/);
  });

  it('averages the seeds and takes each worst figure on its own; a seed without alerts counts as precision 0', () => {
    const { mean, worst } = summariseSeeds([
      { precision: 1, recall: 0.9, median_ttd_steps: 2 },
      { precision: 0.8, recall: 1, median_ttd_steps: 5 },
      { precision: NaN, recall: 0, median_ttd_steps: NaN },
    ]);
    expect(mean.precision).toBeCloseTo(0.9, 12);
    expect(mean.recall).toBeCloseTo(1.9 / 3, 12);
    expect(mean.median_ttd_steps).toBe(3.5);
    expect(worst).toEqual({ precision: 0, recall: 0, median_ttd_steps: 5 });
  });
});

describeProm('demo evaluation (demo/spec.yaml through the data source, real Prometheus)', () => {
  let figures: Figures;
  let stdout = '';

  beforeAll(() => {
    ({ stdout, figures } = demoEval<Figures>([]));
    // The table per incident kind, in the test log for the record.
    console.log(stdout);
  });

  it('prints the contract line last', () => {
    const last = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(Object.keys(last)).toEqual(['precision', 'recall', 'median_ttd_steps', 'benign_escalations', 'per_kind']);
  });

  it('scores every entity without upstream errors', () => {
    expect(figures.errors).toEqual([]);
  });

  it('finds the incidents: recall >= 0.95 and every kind detected at least once', () => {
    expect(figures.recall).toBeGreaterThanOrEqual(0.95);
    expect(Object.keys(figures.per_kind).sort()).toEqual(KINDS);
    for (const f of Object.values(figures.per_kind)) {
      expect(f.detected).toBeGreaterThan(0);
    }
  });

  it('does not cry wolf: precision >= 0.9 and no benign surge or deploy reaches review', () => {
    expect(figures.precision).toBeGreaterThanOrEqual(0.9);
    expect(figures.benign_escalations).toBe(0);
  });

  it('detects early: median time to detect <= 4 steps, the step incidents within a few steps', () => {
    expect(figures.median_ttd_steps).toBeLessThanOrEqual(4);
    expect(figures.per_kind.latency_spike.median_ttd_steps).toBeLessThanOrEqual(2);
    expect(figures.per_kind.labelling_delay.median_ttd_steps).toBeLessThanOrEqual(4);
  });
});

describeProm('demo evaluation over several seeds (--seeds 1-2)', () => {
  let multi: MultiSeedFigures;
  let stdout = '';

  beforeAll(() => {
    ({ stdout, figures: multi } = demoEval<MultiSeedFigures>(['--seeds', '1-2', '--spec', 'demo/spec.yaml']));
    console.log(stdout);
  });

  it('prints the multi-seed contract line last: spec, seeds, mean, worst (and the seeds themselves)', () => {
    const last = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(Object.keys(last)).toEqual(['spec', 'seeds', 'mean', 'worst', 'per_seed']);
    expect(last.spec).toBe('demo/spec.yaml');
    expect(last.seeds).toEqual([1, 2]);
    for (const k of ['mean', 'worst'] as const) {
      expect(Object.keys(last[k])).toEqual(['precision', 'recall', 'median_ttd_steps']);
    }
    expect(multi.errors).toEqual([]);
  });

  it('has mean and worst consistent with the per-seed figures', () => {
    const rows = multi.per_seed.map((r) => ({
      precision: r.precision ?? NaN,
      recall: r.recall ?? NaN,
      median_ttd_steps: r.median_ttd_steps ?? NaN,
    }));
    const { mean, worst } = summariseSeeds(rows);
    expect(multi.mean.precision).toBeCloseTo(mean.precision, 3);
    expect(multi.mean.recall).toBeCloseTo(mean.recall, 3);
    expect(multi.mean.median_ttd_steps).toBeCloseTo(mean.median_ttd_steps, 3);
    expect(multi.worst.precision).toBeCloseTo(worst.precision, 3);
    expect(multi.worst.median_ttd_steps).toBe(worst.median_ttd_steps);
  });

  it('prints a row per seed and recall / time to detect per kind and seed', () => {
    expect(stdout).toMatch(/^seed +incidents +detected +recall +alerts +false +precision +median TTD/m);
    for (const seed of [1, 2]) {
      expect(stdout).toMatch(new RegExp(`^${seed} +18 +\\d+ +\\d+%`, 'm'));
    }
    for (const kind of KINDS) {
      expect(stdout).toMatch(new RegExp(`^${kind} +\\d/3 \\S+ +\\d/3 \\S+ +\\d/6$`, 'm'));
    }
  });

  it('meets the demo targets on each tuning seed: precision >= 0.95, recall >= 0.95, no benign escalation', () => {
    for (const r of multi.per_seed) {
      expect({ seed: r.seed, precision: r.precision! >= 0.95, recall: r.recall! >= 0.95 }).toEqual({
        seed: r.seed,
        precision: true,
        recall: true,
      });
      expect(r.benign_escalations).toBe(0);
      expect(r.median_ttd_steps!).toBeLessThanOrEqual(4);
    }
  });
});
