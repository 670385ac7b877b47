/**
 * `npm run backtest:demo [-- --seed N --days D --spec FILE --objective recall_at_precision|nab
 *  --min-precision P --split 0.6 --tier review --recall-floor no-loss|R --allow-removing-signals
 *  --max-ttd-increase 30m --out DIR]`
 *
 * Generates the demo week, backfills a real Prometheus, scores demo/spec.yaml (or --spec FILE) ONCE
 * through the real data source (the frames' `severity:<id>` fields are the cached severities),
 * backtests it, then calibrates per-signal sensitivity (rarity × f, or warn raised), weights and
 * cuts on the first 60 % of the range under the recall floor (default: no recall loss, on either
 * part; weights never 0 unless --allow-removing-signals; median TTD bounded only with
 * --max-ttd-increase, reported always) and reports before/after on the held-out 40 %.
 * The final proposal is then scored ONCE more through the real data source, which measures what the
 * cached-severity estimate leaves out (a rarity change also moves the detector's own history): the
 * rescored held-out figures and the tier agreement between estimate and rescoring are printed.
 * Last line: JSON {"before": {...}, "after": {...}, "heldout": true, "recall_floor": {...},
 * "changes": [...], ...}: the held-out figures of the current spec (before) and of the proposal as
 * the calibrator measured them on the cached severities (after); `rescored` holds the proposal's
 * held-out figures from the data source (null without a proposal).
 * With --out DIR: writes report.md, calibration.json and versions.json (version 1 = the spec;
 * version 2 = the proposal, appended only when it improved the held-out objective and, rescored,
 * still keeps the recall floor).
 * The report attributes each tier's alert minutes to the signals (false-alarm minutes per signal,
 * noisy signals and their measured fixes) and score health each day's alert time.
 */
import './support/domShim';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { attributedBacktest } from '../src/scoring/evaluate/attributionFixes';
import { backtestToMarkdown, tierFigures, type BacktestOptions } from '../src/scoring/evaluate/backtest';
import {
  applyProposal,
  calibrate,
  calibrationToMarkdown,
  changeText,
  checkConstraint,
  createVersionsFile,
  heldoutReport,
  rescore,
  stringifyVersionsFile,
  type CalibrationResult,
  type Objective,
  type RecallFloor,
  type ScoreFrameLike,
} from '../src/scoring/evaluate/calibrate';
import { parseIncidentsJson, type GroundTruth } from '../src/scoring/evaluate/groundTruth';
import { scoreHealth, scoreHealthToMarkdown } from '../src/scoring/evaluate/scoreHealth';
import { segmentCheck, segmentsToMarkdown } from '../src/scoring/evaluate/segments';
import { parseDuration } from '../src/scoring/spec';
import type { Tier } from '../src/scoring/types';
import { scoreRange, type ScoredRange } from '../demo/eval/backtest';
import { generateDemo, readDemoSpec } from '../demo/eval/run';
import { startPrometheus } from '../tests/integration/prometheus';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const log = (line: string) => process.stderr.write(`${line}\n`);

function fail(message: string): never {
  process.stderr.write(`backtest:demo: ${message}\n`);
  process.exit(1);
}

/** `no-loss` (default) or an absolute recall in [0, 1]. */
function recallFloorArg(text: string | undefined): RecallFloor {
  if (text === undefined || text === 'no-loss' || text === 'no_loss') {
    return 'no_loss';
  }
  const x = Number(text);
  return Number.isFinite(x) && x >= 0 && x <= 1
    ? x
    : fail(`--recall-floor must be no-loss or a number in [0, 1], got ${text}`);
}

type ScoreOptions = Parameters<typeof scoreRange>[2];

/** Share of points on which two scorings of the same entities give the same tier. */
function tierAgreement(
  estimate: ReadonlyArray<{ key: string; tier: ArrayLike<number> }>,
  measured: ReadonlyArray<{ key: string; tier: ArrayLike<number> }>
): number {
  const byKey = new Map(measured.map((e) => [e.key, e.tier]));
  let same = 0;
  let total = 0;
  for (const e of estimate) {
    const other = byKey.get(e.key);
    for (let i = 0; i < e.tier.length; i++) {
      total++;
      if (other && other[i] === e.tier[i]) {
        same++;
      }
    }
  }
  return total ? same / total : NaN;
}

/** The proposal scored through the data source again: its held-out figures and the agreement with the estimate. */
interface Rescored {
  figures: Record<string, number | null>;
  tierAgreement: number;
  recallOk: boolean;
  ttdOk: boolean;
  pipelineMs: number;
}

async function rescoreProposal(
  url: string,
  result: CalibrationResult,
  scored: ScoredRange,
  truth: GroundTruth,
  scoreOptions: ScoreOptions,
  btOptions: BacktestOptions
): Promise<Rescored | undefined> {
  if (!result.proposedSpec || result.proposedSpecErrors.length) {
    return undefined;
  }
  const again = await scoreRange(url, result.proposedSpec, scoreOptions);
  const report = heldoutReport(result, again.entities, truth, btOptions);
  const check = checkConstraint(
    report,
    result.constraint.heldout.floor,
    result.heldout.before.ttd_minutes.median,
    result.constraint.maxTtdIncreaseMs
  );
  return {
    figures: tierFigures(report),
    tierAgreement: tierAgreement(rescore(scored.spec, scored.entities, result.proposal), again.entities),
    recallOk: check.recallOk,
    ttdOk: check.ttdOk,
    pipelineMs: again.pipelineMs,
  };
}

function rescoredToMarkdown(result: CalibrationResult, rescored: Rescored | undefined): string {
  if (!rescored) {
    return '';
  }
  const row = (label: string, f: Record<string, number | null>) =>
    `| ${label} | ${f.alerts} | ${f.precision ?? '-'} | ${f.recall ?? '-'} | ${f.median_ttd_steps ?? '-'} | ${f.false_alarms} |`;
  return [
    '',
    '### The proposal rescored through the data source',
    '',
    `The calibrator worked on cached severities (${result.estimated ? 'rarity changes estimated' : 'every change exact'}); ` +
      `scored again by the data source, the proposal's tiers agree with that estimate on ${(100 * rescored.tierAgreement).toFixed(3)}% of the points.`,
    '',
    '| held-out | alerts | precision | recall | median TTD (steps) | false alarms |',
    '|---|---:|---:|---:|---:|---:|',
    row('before', tierFigures(result.heldout.before)),
    row('after (estimate)', tierFigures(result.heldout.after)),
    row('after (rescored)', rescored.figures),
    '',
    rescored.recallOk && rescored.ttdOk
      ? 'Rescored, the proposal keeps the recall floor.'
      : '**Rescored, the proposal does not keep the recall floor (or the TTD bound): it is not applied.**',
  ].join('\n');
}

async function main() {
  const seed = arg('seed') ? Number(arg('seed')) : 42;
  const days = arg('days') ? Number(arg('days')) : undefined;
  const alertTier = (arg('tier') ?? 'review') as Exclude<Tier, 'ok'>;
  const objective: Objective =
    arg('objective') === 'nab'
      ? { kind: 'nab' }
      : { kind: 'recall_at_precision', minPrecision: Number(arg('min-precision') ?? 0.9) };
  const split = Number(arg('split') ?? 0.6);
  const recallFloor = recallFloorArg(arg('recall-floor'));
  const maxTtdText = arg('max-ttd-increase');
  const maxTtdIncreaseMs = maxTtdText === undefined ? undefined : parseDuration(maxTtdText);
  if (maxTtdIncreaseMs !== undefined && !(maxTtdIncreaseMs >= 0)) {
    fail(`--max-ttd-increase must be a duration such as 30m, got ${maxTtdText}`);
  }
  const specFile = arg('spec');
  const specInput = specFile ? readDemoSpec(path.resolve(specFile)) : readDemoSpec();

  const demo = generateDemo({ seed, days });
  log(
    `seed ${seed}: generated ${demo.truth.incidents.length} incidents, ${demo.truth.benign.length} benign events in ${demo.generateMs} ms`
  );
  const prom = await startPrometheus({ openMetricsFile: demo.openMetricsFile });
  fs.rmSync(demo.dir, { recursive: true, force: true });
  log(`Prometheus ready at ${prom.url} (backfill ${prom.timings.backfill} ms)`);
  const truth = parseIncidentsJson(demo.truth, { strict: true });
  const stepMs = demo.truth.stepMs;
  const scoreOptions: ScoreOptions = {
    from: demo.truth.start,
    to: demo.truth.end - stepMs,
    stepMs,
    lokiBody: demo.lokiBody,
  };
  const btOptions: BacktestOptions = {
    stepMs,
    from: demo.truth.start,
    to: demo.truth.end,
    links: { dashboardUID: 'anomalyscore-demo' },
  };

  // Prometheus stays up until the proposal has been rescored.
  let scored: ScoredRange;
  let result: CalibrationResult;
  let rescored: Rescored | undefined;
  let markdown: string;
  try {
    scored = await scoreRange(prom.url, specInput, scoreOptions);
    log(
      `scored ${scored.entities.length} entities once through the data source in ${scored.pipelineMs} ms; ` +
        `rescoring the cached severities reproduces ${(100 * scored.rescoreAgreement).toFixed(3)}% of the tiers`
    );
    for (const e of scored.errors.slice(0, 10)) {
      log(`error: ${e}`);
    }

    const { report, entities } = attributedBacktest(
      scored.spec,
      scored.entities,
      scored.frames as unknown as ScoreFrameLike[],
      truth,
      btOptions
    );
    const health = scoreHealth(entities, { alertTier, signals: scored.spec.signals });
    const segments = segmentCheck(scored.entities, truth, 'model', { alertTier, backtest: btOptions });
    result = calibrate(scored.spec, scored.entities, truth, {
      objective,
      alertTier,
      split,
      recallFloor,
      allowRemovingSignals: flag('allow-removing-signals'),
      ...(maxTtdIncreaseMs !== undefined ? { maxTtdIncreaseMs } : {}),
      backtest: btOptions,
    });
    log(`calibration: ${result.evaluations} candidates in ${result.elapsedMs} ms, outcome ${result.outcome}`);
    for (const c of result.changes) {
      log(`  ${changeText(c)}`);
    }
    rescored = await rescoreProposal(prom.url, result, scored, truth, scoreOptions, btOptions);
    if (rescored) {
      log(
        `rescored the proposal through the data source in ${rescored.pipelineMs} ms: its tiers agree with the ` +
          `estimate on ${(100 * rescored.tierAgreement).toFixed(3)}% of the points`
      );
    }
    markdown = [
      backtestToMarkdown(report, {
        title: `Backtest of ${scored.spec.id} v${scored.spec.version} on the demo week (seed ${seed})`,
      }),
      '',
      scoreHealthToMarkdown(health),
      '',
      segmentsToMarkdown(segments),
      '',
      calibrationToMarkdown(result),
      rescoredToMarkdown(result, rescored),
    ].join('\n');
  } finally {
    await prom.stop();
  }
  process.stdout.write(`${markdown}\n\n`);
  const applicable = result.improved && (!rescored || (rescored.recallOk && rescored.ttdOk));

  const out = arg('out');
  if (out) {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'report.md'), `${markdown}\n`);
    fs.writeFileSync(
      path.join(out, 'calibration.json'),
      JSON.stringify(
        {
          statement: result.statement,
          outcome: result.outcome,
          improved: result.improved,
          changes: result.changes,
          refused: result.refused
            ? { changes: result.refused.changes, reasons: result.refused.reasons, lost: result.refused.lost }
            : null,
          rescored: rescored ?? null,
          proposedSpec: result.proposedSpec,
        },
        null,
        2
      )
    );
    let versions = createVersionsFile(scored.spec, {
      author: specFile ?? 'demo/spec.yaml',
      reason: 'initial demo spec',
    });
    if (applicable) {
      versions = applyProposal(versions, result, { author: 'npm run backtest:demo' }).file;
    }
    fs.writeFileSync(path.join(out, 'versions.json'), stringifyVersionsFile(versions));
    log(`wrote ${out}/report.md, calibration.json, versions.json (${versions.versions.length} version(s))`);
  }

  const summary = {
    before: tierFigures(result.heldout.before),
    after: tierFigures(result.heldout.after),
    heldout: true,
    recall_floor: {
      option: result.constraint.recallFloor,
      heldout: round(result.constraint.heldout.floor),
      fit: round(result.constraint.fit.floor),
      met: result.constraint.heldout.recallOk && result.constraint.fit.recallOk,
    },
    changes: result.changes,
    improved: result.improved,
    outcome: result.outcome,
    median_ttd_minutes: {
      before: round(result.heldout.before.ttd_minutes.median),
      after: round(result.heldout.after.ttd_minutes.median),
      max_increase: maxTtdIncreaseMs !== undefined ? maxTtdIncreaseMs / 60_000 : null,
    },
    objective: {
      ...result.objective,
      alert_tier: alertTier,
      before: round(result.heldout.beforeScore.value),
      after: round(result.heldout.afterScore.value),
      before_feasible: result.heldout.beforeScore.feasible,
      after_feasible: result.heldout.afterScore.feasible,
    },
    statement: result.statement,
    refused: result.refused
      ? { changes: result.refused.changes, reasons: result.refused.reasons, lost: result.refused.lost.map((i) => i.id) }
      : null,
    rescored: rescored
      ? {
          ...rescored.figures,
          tier_agreement: Number.isFinite(rescored.tierAgreement) ? Number(rescored.tierAgreement.toFixed(6)) : null,
          recall_floor_met: rescored.recallOk,
          ttd_bound_met: rescored.ttdOk,
        }
      : null,
    applied: applicable,
    spec: specFile ?? 'demo/spec.yaml',
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
