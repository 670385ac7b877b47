/**
 * `npm run demo:eval [-- --seed N --days D --json-out FILE]`: the demo week through a real
 * Prometheus and the real data source pipeline, scored against the ground truth. Prints a table per
 * incident kind, then as the last line JSON {precision, recall, median_ttd_steps,
 * benign_escalations, per_kind}.
 */
import './support/domShim';
import * as fs from 'node:fs';
import { runDemoEvaluation } from '../demo/eval/run';
import { entityKey } from '../src/scoring/engine';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const pct = (x: number) => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(0)}%`);

async function main() {
  const result = await runDemoEvaluation({
    seed: arg('seed') ? Number(arg('seed')) : undefined,
    days: arg('days') ? Number(arg('days')) : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
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
    if (!a.truePositive && (a.benign || process.argv.includes('--verbose'))) {
      lines.push(
        `false alarm${a.benign ? ' (benign event)' : ''}: ${a.entity} ${new Date(a.start).toISOString()} .. ${new Date(a.end).toISOString()} (${result.alertCause[i]})`
      );
    }
  });
  if (process.argv.includes('--signals')) {
    // Peak of each signal's statistic during every labelled event: shows how far apart incidents
    // and benign events are, signal by signal (for tuning the spec).
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
  }
  for (const e of result.errors.slice(0, 10)) {
    lines.push(`error: ${e}`);
  }
  const figures = {
    precision: round(result.precision),
    recall: round(result.recall),
    median_ttd_steps: result.median_ttd_steps,
    benign_escalations: result.benign_escalations,
    per_kind: Object.fromEntries(Object.entries(result.per_kind).map(([k, f]) => [k, { ...f, recall: round(f.recall) }])),
  };
  const out = arg('json-out');
  if (out) {
    fs.writeFileSync(out, JSON.stringify({ ...figures, timings: result.timings, errors: result.errors, alerts: result.alerts.length }));
  }
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(figures)}\n`);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

main().catch((e) => {
  process.stderr.write(`demo:eval failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
