/**
 * `npm run robustness [-- --seeds 1-3 --weeks 2 --kinds robust_z,ratio --shapes gaussian,ar1
 *  --anomalies spike,stall --quick]`: every signal kind on its DEFAULT params over healthy
 * synthetic noise shapes and injected anomalies (src/scoring/evaluate/robustness). Prints the
 * tables, then as the last line one JSON object {max_false_severity_share,
 * max_alerts_per_entity_week, min_detection_rate, table: [...]}. Goals are reported, not asserted.
 *
 *   --seeds    list or range of seeds (default 1-5)
 *   --weeks    series length in weeks, at least 2 (default 2); the first 8 days are warm-up
 *   --kinds, --shapes, --anomalies   comma lists restricting the run (default: all)
 *   --quick    one seed (1): a smoke run of about a fifth of the time
 * Progress goes to stderr.
 */
import { ANOMALY_SHAPES, type AnomalyShape } from '../src/scoring/evaluate/robustness/anomalies';
import { formatReport, reportJson } from '../src/scoring/evaluate/robustness/format';
import { NOISE_SHAPES, type NoiseShape } from '../src/scoring/evaluate/robustness/noise';
import { ALL_KINDS, DEFAULT_ROBUSTNESS_CONFIG, runRobustness } from '../src/scoring/evaluate/robustness/runner';
import type { SignalKind } from '../src/scoring/types';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function fail(message: string): never {
  process.stderr.write(`robustness: ${message}\n`);
  process.exit(2);
}

/** "1-3" → [1, 2, 3]; "1,4,7" → [1, 4, 7]. */
function parseSeeds(text: string): number[] {
  const seeds = text.split(',').flatMap((part) => {
    const range = /^(\d+)-(\d+)$/.exec(part.trim());
    if (range) {
      const [lo, hi] = [Number(range[1]), Number(range[2])];
      return hi >= lo ? Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) : [NaN];
    }
    return [/^\d+$/.test(part.trim()) ? Number(part) : NaN];
  });
  if (seeds.length === 0 || seeds.some((s) => !Number.isSafeInteger(s))) {
    fail(`--seeds must be whole numbers or ranges like 1-5 (got ${JSON.stringify(text)})`);
  }
  return seeds;
}

function parseList<T extends string>(name: string, known: readonly T[]): T[] | undefined {
  const text = arg(name);
  if (text === undefined) {
    return undefined;
  }
  const items = text.split(',').map((s) => s.trim());
  const unknown = items.filter((s) => !(known as readonly string[]).includes(s));
  if (unknown.length > 0 || items.length === 0) {
    fail(`--${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  return items as T[];
}

function main() {
  const quick = process.argv.includes('--quick');
  const seedsText = arg('seeds');
  const seeds = seedsText !== undefined ? parseSeeds(seedsText) : quick ? [1] : [...DEFAULT_ROBUSTNESS_CONFIG.seeds];
  const weeks = arg('weeks') !== undefined ? Number(arg('weeks')) : 2;
  if (!(weeks >= 2 && weeks <= 12)) {
    fail(`--weeks must be a number from 2 to 12 (got ${JSON.stringify(arg('weeks'))})`);
  }
  const kinds = parseList<SignalKind>('kinds', ALL_KINDS) ?? [...ALL_KINDS];
  const shapes = parseList<NoiseShape>('shapes', NOISE_SHAPES) ?? [...NOISE_SHAPES];
  const anomalies = parseList<AnomalyShape>('anomalies', ANOMALY_SHAPES) ?? [...ANOMALY_SHAPES];

  const started = Date.now();
  let lastLog = 0;
  const report = runRobustness({
    seeds,
    days: weeks * 7,
    kinds,
    shapes,
    anomalies,
    onProgress(done, total, label) {
      const now = Date.now();
      if (now - lastLog > 5000 || done === total) {
        lastLog = now;
        process.stderr.write(`[${((now - started) / 1000).toFixed(0)}s] ${done}/${total} ${label}\n`);
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`${formatReport(report)}\n`);
  process.stdout.write(`Runtime: ${seconds.toFixed(1)} s\n`);
  process.stdout.write(`${JSON.stringify(reportJson(report))}\n`);
}

main();
