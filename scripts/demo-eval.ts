/**
 * `npm run demo:eval [-- --seed N --days D --spec FILE --json-out FILE --signals --verbose]`: the demo
 * week through a real Prometheus and the real data source pipeline, scored against the ground truth.
 * Prints a table per incident kind, then as the last line JSON {precision, recall, median_ttd_steps,
 * benign_escalations, per_kind}.
 *
 * `npm run demo:eval -- --seeds 1-5 [--spec FILE]` (ranges and lists: 1-5, 1,3,7, 1-3,9): the same
 * for each seed, one Prometheus per seed (started on that seed's backfill, stopped after it, so no
 * seed can see another's data); prints a table per seed, recall and time to detect per incident kind
 * and seed, and as the last line JSON {spec, seeds, mean: {precision, recall, median_ttd_steps},
 * worst: {...}, per_seed} (worst = the lowest precision and recall and the highest median time to
 * detect over the seeds, each on its own).
 *
 * --signals adds the diagnosis per signal (demo/eval/diagnose.ts): false-alarm minutes, healthy
 * minutes at severity >= 0.5, and peak severity per incident and benign kind; pooled over the seeds.
 */
import './support/domShim';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runDemoEvaluation, runDemoEvaluations, loadSpecFile, SPEC_FILE, type DemoEvalResult } from '../demo/eval/run';
import { diagnosisLines, poolDiagnoses, type DemoDiagnosis } from '../demo/eval/diagnose';
import { parseSeeds, summariseSeeds } from '../demo/eval/seeds';
import { entityKey } from '../src/scoring/engine';
import { TIERS, type Tier } from '../src/scoring/types';

function arg(name: string): string | undefined {
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (eq) {
    return eq.slice(name.length + 3);
  }
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const pct = (x: number) => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(0)}%`);

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The single-seed contract figures (DESIGN §6). */
function figuresOf(result: DemoEvalResult) {
  return {
    precision: round(result.precision),
    recall: round(result.recall),
    median_ttd_steps: result.median_ttd_steps,
    benign_escalations: result.benign_escalations,
    per_kind: Object.fromEntries(Object.entries(result.per_kind).map(([k, f]) => [k, { ...f, recall: round(f.recall) }])),
  };
}

/** The per-kind table, false alarms by top contributor and the missed incidents of one seed. */
function seedLines(result: DemoEvalResult, verbose: boolean): string[] {
  const lines = ['kind                incidents  detected  recall  median TTD (steps)'];
  for (const [kind, f] of Object.entries(result.per_kind)) {
    lines.push(
      `${kind.padEnd(20)}${String(f.incidents).padStart(9)}${String(f.detected).padStart(10)}${pct(f.recall).padStart(8)}${String(f.median_ttd_steps).padStart(20)}`
    );
  }
  lines.push(`alerts at >= review: ${result.alerts.length}, precision ${pct(result.precision)}, benign escalations ${result.benign_escalations}`);
  for (const o of result.outcomes.filter((x) => !x.detected)) {
    lines.push(`missed: ${o.incident.kind} ${o.incident.entity} ${new Date(o.incident.start).toISOString()}`);
  }
  const causes = new Map<string, number>();
  result.alerts.forEach((a, i) => {
    if (!a.truePositive) {
      causes.set(result.alertCause[i], (causes.get(result.alertCause[i]) ?? 0) + 1);
    }
  });
  lines.push(`false alarms by top contributor: ${[...causes].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  result.alerts.forEach((a, i) => {
    if (!a.truePositive && (a.benign || verbose)) {
      lines.push(
        `false alarm${a.benign ? ' (benign event)' : ''}: ${a.entity} ${new Date(a.start).toISOString()} .. ${new Date(a.end).toISOString()} (${result.alertCause[i]})`
      );
    }
  });
  return lines;
}

/** Peak of each signal's statistic during every labelled event (the raw `signal:` values). */
function eventPeakLines(result: DemoEvalResult): string[] {
  const lines: string[] = [];
  const byName = new Map(result.frames.map((f) => [f.name ?? '', f]));
  const events = [
    ...result.truth.incidents.map((i) => ({ ...i, benign: false })),
    ...result.truth.benign.map((b) => ({ ...b, benign: true })),
  ];
  for (const ev of events) {
    const frame = byName.get(entityKey({ ...ev.entity }, ['model', 'version', 'region']));
    if (!frame) {
      continue;
    }
    const time = frame.fields[0].values as number[];
    const peaks = frame.fields
      .filter((f) => f.name.startsWith('signal:'))
      .map((f) => {
        let peak = NaN;
        time.forEach((t, i) => {
          const v = Math.abs(f.values[i] as number);
          if (t >= ev.start && t < ev.end + 30 * 60_000 && !Number.isNaN(v) && !(v <= peak)) {
            peak = v;
          }
        });
        return `${f.name.slice(7)}=${Number.isNaN(peak) ? '-' : peak.toPrecision(3)}`;
      });
    lines.push(`${ev.benign ? 'benign  ' : 'incident'} ${ev.kind.padEnd(17)} ${peaks.join(' ')}`);
  }
  return lines;
}

async function singleSeed(specFile: string, minTier: Tier) {
  const result = await runDemoEvaluation({
    seed: arg('seed') ? Number(arg('seed')) : undefined,
    days: arg('days') ? Number(arg('days')) : undefined,
    specFile,
    minTier,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const lines = seedLines(result, process.argv.includes('--verbose'));
  if (process.argv.includes('--signals')) {
    lines.push(...eventPeakLines(result), '', ...diagnosisLines(result.diagnosis));
  }
  for (const e of result.errors.slice(0, 10)) {
    lines.push(`error: ${e}`);
  }
  const figures = figuresOf(result);
  const out = arg('json-out');
  if (out) {
    fs.writeFileSync(out, JSON.stringify({ ...figures, timings: result.timings, errors: result.errors, alerts: result.alerts.length }));
  }
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(figures)}\n`);
}

interface SeedRow {
  seed: number;
  precision: number;
  recall: number;
  median_ttd_steps: number;
  benign_escalations: number;
  alerts: number;
  false_alarms: number;
  incidents: number;
  detected: number;
  per_kind: ReturnType<typeof figuresOf>['per_kind'];
  errors: string[];
}

/** NaN (no alerts, no detection) as null in JSON; the mean and worst skip it. */
const jsonNumber = (x: number) => (Number.isFinite(x) ? round(x) : null);

async function multiSeed(seeds: number[], specFile: string, minTier: Tier) {
  const verbose = process.argv.includes('--verbose');
  const rows: SeedRow[] = [];
  const diagnoses: DemoDiagnosis[] = [];
  const text: string[] = [];
  const t0 = Date.now();
  const results = await runDemoEvaluations(seeds, {
    days: arg('days') ? Number(arg('days')) : undefined,
    specFile,
    minTier,
    log: (seed, line) => process.stderr.write(`seed ${seed}: ${line}\n`),
  });
  for (const [i, result] of results.entries()) {
    const seed = seeds[i];
    const figures = figuresOf(result);
    rows.push({
      seed,
      precision: result.precision,
      recall: result.recall,
      median_ttd_steps: result.median_ttd_steps,
      benign_escalations: result.benign_escalations,
      alerts: result.alerts.length,
      false_alarms: result.alerts.filter((a) => !a.truePositive).length,
      incidents: result.outcomes.length,
      detected: result.outcomes.filter((o) => o.detected).length,
      per_kind: figures.per_kind,
      errors: result.errors,
    });
    diagnoses.push(result.diagnosis);
    text.push(`## seed ${seed}`, ...seedLines(result, verbose), '');
    for (const e of result.errors.slice(0, 10)) {
      text.push(`error: ${e}`);
    }
  }
  const totalMs = Date.now() - t0;

  const lines = [...text];
  lines.push(`## ${path.relative(process.cwd(), specFile) || specFile}: ${seeds.length} seeds at >= ${minTier} (${(totalMs / 1000).toFixed(0)} s)`);
  lines.push('seed  incidents  detected  recall  alerts  false  precision  median TTD  benign esc.');
  const row = (label: string, r: Pick<SeedRow, 'precision' | 'recall' | 'median_ttd_steps'> & Partial<SeedRow>) =>
    `${label.padEnd(6)}${String(r.incidents ?? '').padStart(9)}${String(r.detected ?? '').padStart(10)}${pct(r.recall).padStart(8)}` +
    `${String(r.alerts ?? '').padStart(8)}${String(r.false_alarms ?? '').padStart(7)}${pct(r.precision).padStart(11)}` +
    `${(Number.isFinite(r.median_ttd_steps) ? String(round(r.median_ttd_steps)) : '-').padStart(12)}${String(r.benign_escalations ?? '').padStart(13)}`;
  for (const r of rows) {
    lines.push(row(String(r.seed), r));
  }
  const { mean: meanFigures, worst: worstFigures } = summariseSeeds(rows);
  lines.push(row('mean', meanFigures), row('worst', worstFigures));

  // Recall and time to detect per incident kind and seed: "detected/incidents ttd".
  const kinds = [...new Set(rows.flatMap((r) => Object.keys(r.per_kind)))].sort();
  lines.push('', `kind (detected/incidents, median TTD steps)${seeds.map((s) => `seed ${s}`.padStart(12)).join('')}     all`);
  for (const kind of kinds) {
    const cells = rows.map((r) => {
      const f = r.per_kind[kind];
      return (f ? `${f.detected}/${f.incidents} ${Number.isFinite(f.median_ttd_steps) ? f.median_ttd_steps : '-'}` : '-').padStart(12);
    });
    const n = rows.reduce((a, r) => a + (r.per_kind[kind]?.incidents ?? 0), 0);
    const d = rows.reduce((a, r) => a + (r.per_kind[kind]?.detected ?? 0), 0);
    lines.push(`${kind.padEnd(43)}${cells.join('')}${`${d}/${n}`.padStart(8)}`);
  }
  if (process.argv.includes('--signals')) {
    lines.push('', `## signals, pooled over seeds ${seeds.join(', ')}`, ...diagnosisLines(poolDiagnoses(diagnoses)));
  }

  const summary = {
    spec: path.relative(process.cwd(), specFile) || specFile,
    seeds,
    mean: {
      precision: jsonNumber(meanFigures.precision),
      recall: jsonNumber(meanFigures.recall),
      median_ttd_steps: jsonNumber(meanFigures.median_ttd_steps),
    },
    worst: {
      precision: jsonNumber(worstFigures.precision),
      recall: jsonNumber(worstFigures.recall),
      median_ttd_steps: jsonNumber(worstFigures.median_ttd_steps),
    },
    per_seed: rows.map((r) => ({
      seed: r.seed,
      precision: jsonNumber(r.precision),
      recall: jsonNumber(r.recall),
      median_ttd_steps: jsonNumber(r.median_ttd_steps),
      benign_escalations: r.benign_escalations,
      alerts: r.alerts,
      per_kind: r.per_kind,
    })),
  };
  const out = arg('json-out');
  if (out) {
    fs.writeFileSync(out, JSON.stringify({ ...summary, errors: rows.flatMap((r) => r.errors), total_ms: totalMs }));
  }
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(summary)}\n`);
}

async function main() {
  const specFile = path.resolve(arg('spec') ?? SPEC_FILE);
  loadSpecFile(specFile); // a bad spec fails before anything is generated
  const minTier = (arg('min-tier') ?? 'review') as Tier;
  if (!TIERS.includes(minTier) || minTier === 'ok') {
    throw new Error(`--min-tier must be watch, review or critical (got ${minTier})`);
  }
  const seeds = arg('seeds');
  if (seeds !== undefined) {
    const list = parseSeeds(seeds);
    if (list.length === 0) {
      throw new Error('--seeds: no seed given');
    }
    await multiSeed(list, specFile, minTier);
  } else {
    await singleSeed(specFile, minTier);
  }
}

main().catch((e) => {
  process.stderr.write(`demo:eval failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
