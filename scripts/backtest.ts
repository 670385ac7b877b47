/**
 * `npm run backtest -- --prometheus URL --spec FILE --incidents FILE --from T --to T [options]`
 *
 * Scores the spec through the REAL Anomaly Score data source against a running Prometheus (and,
 * with --loki-payload FILE, a Loki push payload such as the demo's loki-push.json) and backtests it
 * against the ground truth: Grafana annotations (the body of GET /api/annotations) or the demo's
 * incidents.json; --incidents may be given several times (e.g. incidents + feedback annotations).
 * Prints the Markdown report, or JSON with --json. Usable in CI to check a spec change: with
 * --min-precision / --min-recall the exit code is 2 when the alert tier falls below them.
 *
 * Options: --step 1m (default: the spec's step, else 1m), --tier review (alert tier for the gates,
 * calibration, health and segments), --grace 30m, --history 0s, --base-url URL, --dashboard UID,
 * --segment LABEL, --health, --calibrate [--split 0.6 --objective recall_at_precision|nab
 * --target-precision 0.9 --recall-floor no-loss|R --allow-removing-signals --max-ttd-increase 30m],
 * --details (every alert in the JSON). Times: epoch ms or ISO-8601.
 * Calibration (calibrate.ts) tunes each signal's sensitivity, weights and cuts; by default it never
 * loses recall (--recall-floor no-loss) and never removes a signal (--allow-removing-signals).
 *
 * Every tier of the report attributes its alert minutes to the signals that carried them (the
 * frames' `contrib:<id>` fields): false-alarm minutes outside every incident window, in-incident
 * minutes, and the noisy signals with a concrete fix measured on the cached severities
 * (src/scoring/evaluate/attribution.ts, attributionFixes.ts). JSON: `report.tiers[].attribution`
 * and `report.tiers[].noisy`; with --health, each day's alert time by signal.
 */
import './support/domShim';
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';

import { attributedBacktest } from '../src/scoring/evaluate/attributionFixes';
import { backtestToJson, backtestToMarkdown, tierFigures } from '../src/scoring/evaluate/backtest';
import {
  calibrate,
  calibrationToMarkdown,
  type Objective,
  type ScoreFrameLike,
} from '../src/scoring/evaluate/calibrate';
import { mergeGroundTruth, parseGroundTruth } from '../src/scoring/evaluate/groundTruth';
import { scoreHealth, scoreHealthToMarkdown } from '../src/scoring/evaluate/scoreHealth';
import { segmentCheck, segmentsToMarkdown } from '../src/scoring/evaluate/segments';
import { parseDuration, parseTime, type ScoreSpecInput } from '../src/scoring/spec';
import type { Tier } from '../src/scoring/types';
import { scoreRange } from '../demo/eval/backtest';

const USAGE =
  'usage: npm run backtest -- --prometheus URL --spec FILE --incidents FILE --from T --to T [--json] [--loki-payload FILE] ' +
  '[--step 1m] [--tier review] [--grace 30m] [--history 0s] [--base-url URL] [--dashboard UID] [--segment LABEL] [--health] ' +
  '[--calibrate [--split 0.6] [--objective recall_at_precision|nab] [--target-precision 0.9] [--recall-floor no-loss|R] ' +
  '[--allow-removing-signals] [--max-ttd-increase 30m]] [--min-precision P] [--min-recall R] [--details]';

function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && i + 1 < process.argv.length) {
      out.push(process.argv[i + 1]);
    }
  });
  return out;
}
const arg = (name: string) => args(name)[0];
const flag = (name: string) => process.argv.includes(`--${name}`);

function fail(message: string): never {
  process.stderr.write(`backtest: ${message}\n${USAGE}\n`);
  process.exit(1);
}

function readSpec(file: string): ScoreSpecInput {
  const text = fs.readFileSync(file, 'utf8');
  return (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as ScoreSpecInput;
}

async function main() {
  if (flag('help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const url = arg('prometheus') ?? fail('--prometheus URL is required');
  const specFile = arg('spec') ?? fail('--spec FILE is required');
  const incidentFiles = args('incidents');
  if (incidentFiles.length === 0) {
    fail('--incidents FILE is required');
  }
  const from = parseTime(arg('from'));
  const to = parseTime(arg('to'));
  if (Number.isNaN(from) || Number.isNaN(to) || !(to > from)) {
    fail('--from and --to must be epoch ms or ISO-8601 times with --to after --from');
  }
  const specInput = readSpec(specFile);
  const stepMs = parseDuration(arg('step') ?? specInput.step ?? '1m');
  if (!(stepMs > 0)) {
    fail(`--step ${arg('step')}: not a duration`);
  }
  const graceMs = parseDuration(arg('grace') ?? '30m');
  const alertTier = (arg('tier') ?? 'review') as Exclude<Tier, 'ok'>;
  if (!['watch', 'review', 'critical'].includes(alertTier)) {
    fail('--tier must be watch, review or critical');
  }
  const truth = mergeGroundTruth(
    ...incidentFiles.map((f) => {
      try {
        return parseGroundTruth(JSON.parse(fs.readFileSync(f, 'utf8')), { strict: true });
      } catch (e) {
        return fail(`${f}: ${e instanceof Error ? e.message : String(e)}`);
      }
    })
  );
  const lokiFile = arg('loki-payload');
  const lokiBody = lokiFile ? JSON.parse(fs.readFileSync(lokiFile, 'utf8')) : undefined;
  const lastPoint = Math.ceil(to / stepMs) * stepMs - stepMs;
  const scored = await scoreRange(url, specInput, {
    from,
    to: lastPoint,
    stepMs,
    lokiBody,
    history: arg('history') ?? '0s',
  });
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  warn(`scored ${scored.entities.length} entities through the data source in ${scored.pipelineMs} ms`);
  if (!lokiBody && scored.spec.signals.some((s) => s.source?.datasource?.type === 'loki')) {
    warn('note: no --loki-payload: Loki signals have no data and are reported as missing');
  }
  for (const e of scored.errors.slice(0, 20)) {
    warn(`error: ${e}`);
  }
  const btOptions = {
    stepMs,
    graceMs,
    from,
    to,
    links: { baseUrl: arg('base-url') ?? '', dashboardUID: arg('dashboard') ?? 'anomalyscore' },
  };
  const { report, entities } = attributedBacktest(
    scored.spec,
    scored.entities,
    scored.frames as unknown as ScoreFrameLike[],
    truth,
    btOptions
  );
  const health = flag('health') ? scoreHealth(entities, { alertTier, signals: scored.spec.signals }) : undefined;
  const segment = arg('segment');
  const segments = segment
    ? segmentCheck(scored.entities, truth, segment, { alertTier, backtest: btOptions })
    : undefined;
  let calibration;
  if (flag('calibrate')) {
    const objective: Objective =
      arg('objective') === 'nab'
        ? { kind: 'nab' }
        : { kind: 'recall_at_precision', minPrecision: Number(arg('target-precision') ?? 0.9) };
    const floorText = arg('recall-floor') ?? 'no-loss';
    const recallFloor = floorText === 'no-loss' || floorText === 'no_loss' ? 'no_loss' : Number(floorText);
    if (recallFloor !== 'no_loss' && !(recallFloor >= 0 && recallFloor <= 1)) {
      fail(`--recall-floor must be no-loss or a number in [0, 1], got ${floorText}`);
    }
    const maxTtdText = arg('max-ttd-increase');
    const maxTtdIncreaseMs = maxTtdText === undefined ? undefined : parseDuration(maxTtdText);
    if (maxTtdIncreaseMs !== undefined && !(maxTtdIncreaseMs >= 0)) {
      fail(`--max-ttd-increase must be a duration such as 30m, got ${maxTtdText}`);
    }
    calibration = calibrate(scored.spec, scored.entities, truth, {
      objective,
      alertTier,
      split: Number(arg('split') ?? 0.6),
      recallFloor,
      allowRemovingSignals: flag('allow-removing-signals'),
      ...(maxTtdIncreaseMs !== undefined ? { maxTtdIncreaseMs } : {}),
      backtest: btOptions,
    });
  }

  if (flag('json')) {
    process.stdout.write(
      `${JSON.stringify({
        spec: { id: scored.spec.id, version: scored.spec.version },
        report: backtestToJson(report, { details: flag('details') }),
        ...(health ? { health } : {}),
        ...(segments ? { segments } : {}),
        ...(calibration
          ? {
              calibration: {
                statement: calibration.statement,
                outcome: calibration.outcome,
                improved: calibration.improved,
                recall_floor: calibration.constraint.recallFloor,
                changes: calibration.changes,
                refused: calibration.refused
                  ? {
                      changes: calibration.refused.changes,
                      reasons: calibration.refused.reasons,
                      lost: calibration.refused.lost,
                    }
                  : null,
                heldout: {
                  before: tierFigures(calibration.heldout.before),
                  after: tierFigures(calibration.heldout.after),
                },
                proposedSpec: calibration.proposedSpec,
              },
            }
          : {}),
        errors: scored.errors,
      })}\n`
    );
  } else {
    const parts = [backtestToMarkdown(report, { title: `Backtest of ${scored.spec.id} v${scored.spec.version}` })];
    if (health) {
      parts.push(scoreHealthToMarkdown(health));
    }
    if (segments) {
      parts.push(segmentsToMarkdown(segments));
    }
    if (calibration) {
      parts.push(calibrationToMarkdown(calibration));
    }
    process.stdout.write(`${parts.join('\n\n')}\n`);
  }

  const gate = report.tiers.find((r) => r.tier === alertTier);
  const minPrecision = arg('min-precision');
  const minRecall = arg('min-recall');
  const failures: string[] = [];
  if (gate && minPrecision !== undefined && !(gate.precision >= Number(minPrecision))) {
    failures.push(`precision ${gate.precision.toFixed(3)} < ${minPrecision}`);
  }
  if (gate && minRecall !== undefined && !(gate.recall >= Number(minRecall))) {
    failures.push(`recall ${gate.recall.toFixed(3)} < ${minRecall}`);
  }
  if (failures.length) {
    warn(`backtest gate failed at tier ${alertTier}: ${failures.join(', ')}`);
    process.exit(2);
  }
}

main().catch((e) => {
  process.stderr.write(`backtest failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
