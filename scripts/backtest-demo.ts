/**
 * `npm run backtest:demo [-- --seed N --days D --objective recall_at_precision|nab --min-precision P
 *  --split 0.6 --tier review --out DIR]`
 *
 * Generates the demo week, backfills a real Prometheus, scores demo/spec.yaml ONCE through the real
 * data source (the frames' `severity:<id>` fields are the cached severities), backtests it, then
 * calibrates weights and cuts on the first 60 % of the range and reports before/after on the
 * held-out 40 %. Last line: JSON {"before": {...}, "after": {...}, "heldout": true, ...} with the
 * held-out figures of the current spec (before) and of the proposal (after).
 * With --out DIR: writes report.md, calibration.json and versions.json (version 1 = the demo spec;
 * version 2 = the proposal, appended only when it improved the held-out objective).
 * The report attributes each tier's alert minutes to the signals (false-alarm minutes per signal,
 * noisy signals and their measured fixes) and score health each day's alert time.
 */
import './support/domShim';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { attributedBacktest } from '../src/scoring/evaluate/attributionFixes';
import { backtestToMarkdown, tierFigures } from '../src/scoring/evaluate/backtest';
import {
  applyProposal,
  calibrate,
  calibrationToMarkdown,
  createVersionsFile,
  stringifyVersionsFile,
  type Objective,
  type ScoreFrameLike,
} from '../src/scoring/evaluate/calibrate';
import { parseIncidentsJson } from '../src/scoring/evaluate/groundTruth';
import { scoreHealth, scoreHealthToMarkdown } from '../src/scoring/evaluate/scoreHealth';
import { segmentCheck, segmentsToMarkdown } from '../src/scoring/evaluate/segments';
import type { Tier } from '../src/scoring/types';
import { scoreRange } from '../demo/eval/backtest';
import { generateDemo, readDemoSpec } from '../demo/eval/run';
import { startPrometheus } from '../tests/integration/prometheus';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main() {
  const seed = arg('seed') ? Number(arg('seed')) : 42;
  const days = arg('days') ? Number(arg('days')) : undefined;
  const alertTier = (arg('tier') ?? 'review') as Exclude<Tier, 'ok'>;
  const objective: Objective =
    arg('objective') === 'nab'
      ? { kind: 'nab' }
      : { kind: 'recall_at_precision', minPrecision: Number(arg('min-precision') ?? 0.9) };
  const split = Number(arg('split') ?? 0.6);

  const demo = generateDemo({ seed, days });
  log(
    `seed ${seed}: generated ${demo.truth.incidents.length} incidents, ${demo.truth.benign.length} benign events in ${demo.generateMs} ms`
  );
  const prom = await startPrometheus({ openMetricsFile: demo.openMetricsFile });
  fs.rmSync(demo.dir, { recursive: true, force: true });
  log(`Prometheus ready at ${prom.url} (backfill ${prom.timings.backfill} ms)`);
  const truth = parseIncidentsJson(demo.truth, { strict: true });
  const stepMs = demo.truth.stepMs;
  let scored;
  try {
    scored = await scoreRange(prom.url, readDemoSpec(), {
      from: demo.truth.start,
      to: demo.truth.end - stepMs,
      stepMs,
      lokiBody: demo.lokiBody,
    });
  } finally {
    await prom.stop();
  }
  log(
    `scored ${scored.entities.length} entities once through the data source in ${scored.pipelineMs} ms; ` +
      `rescoring the cached severities reproduces ${(100 * scored.rescoreAgreement).toFixed(3)}% of the tiers`
  );
  for (const e of scored.errors.slice(0, 10)) {
    log(`error: ${e}`);
  }

  const btOptions = {
    stepMs,
    from: demo.truth.start,
    to: demo.truth.end,
    links: { dashboardUID: 'anomalyscore-demo' },
  };
  const { report, entities } = attributedBacktest(
    scored.spec,
    scored.entities,
    scored.frames as unknown as ScoreFrameLike[],
    truth,
    btOptions
  );
  const health = scoreHealth(entities, { alertTier, signals: scored.spec.signals });
  const segments = segmentCheck(scored.entities, truth, 'model', { alertTier, backtest: btOptions });
  const result = calibrate(scored.spec, scored.entities, truth, { objective, alertTier, split, backtest: btOptions });

  const markdown = [
    backtestToMarkdown(report, {
      title: `Backtest of ${scored.spec.id} v${scored.spec.version} on the demo week (seed ${seed})`,
    }),
    '',
    scoreHealthToMarkdown(health),
    '',
    segmentsToMarkdown(segments),
    '',
    calibrationToMarkdown(result),
  ].join('\n');
  process.stdout.write(`${markdown}\n\n`);

  const out = arg('out');
  if (out) {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'report.md'), `${markdown}\n`);
    fs.writeFileSync(
      path.join(out, 'calibration.json'),
      JSON.stringify(
        {
          statement: result.statement,
          improved: result.improved,
          changes: result.changes,
          proposedSpec: result.proposedSpec,
        },
        null,
        2
      )
    );
    let versions = createVersionsFile(scored.spec, { author: 'demo/spec.yaml', reason: 'initial demo spec' });
    if (result.improved) {
      versions = applyProposal(versions, result, { author: 'npm run backtest:demo' }).file;
    }
    fs.writeFileSync(path.join(out, 'versions.json'), stringifyVersionsFile(versions));
    log(`wrote ${out}/report.md, calibration.json, versions.json (${versions.versions.length} version(s))`);
  }

  const summary = {
    before: tierFigures(result.heldout.before),
    after: tierFigures(result.heldout.after),
    heldout: true,
    improved: result.improved,
    objective: {
      ...result.objective,
      alert_tier: alertTier,
      before: round(result.heldout.beforeScore.value),
      after: round(result.heldout.afterScore.value),
      before_feasible: result.heldout.beforeScore.feasible,
      after_feasible: result.heldout.afterScore.feasible,
    },
    statement: result.statement,
    changes: result.changes,
    split: new Date(result.range.split).toISOString(),
    seed,
    rescore_agreement: round(scored.rescoreAgreement),
    calibration_ms: result.elapsedMs,
    candidates: result.evaluations,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

function round(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 10000) / 10000 : null;
}

main().catch((e) => {
  process.stderr.write(`backtest:demo failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
