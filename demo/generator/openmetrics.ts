/**
 * Backfill outputs of the demo generator: the OpenMetrics file that
 * `promtool tsdb create-blocks-from openmetrics` turns into TSDB blocks, the Loki push body with
 * the matching error logs, and the ground truth (incidents.json).
 *
 * OpenMetrics rules that matter here (promtool silently mis-files data otherwise): timestamps are
 * in SECONDS, every family is written as one contiguous group (series by series, each in time
 * order), counters are typed by their family name without `_total`, and the file ends in `# EOF`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { FAMILIES, SeriesDef, Simulation } from './model';
import { planGroundTruth } from './schedule';
import { GeneratorOptions, GroundTruth } from './types';

export interface LogRecord {
  /** Nanosecond epoch timestamp as a decimal string (too large for a JS number). */
  ns: string;
  line: string;
}

export interface GeneratedData {
  truth: GroundTruth;
  layout: SeriesDef[];
  /** Sample times (epoch ms). */
  times: Float64Array;
  /** values[series * times.length + step]: the value each series had at each scrape. */
  values: Float64Array;
  /** Error log lines per entity, in time order. */
  logs: LogRecord[][];
}

/** Runs the simulation over the whole range and keeps every scrape in memory (~66 MB for a week × 12 entities). */
export function generate(opts: GeneratorOptions, withLogs = true): GeneratedData {
  const truth = planGroundTruth(opts);
  const sim = new Simulation(opts, truth);
  const n = Math.max(0, Math.ceil((truth.end - truth.start) / truth.stepMs));
  const times = new Float64Array(n);
  const layout = sim.layout;
  const values = new Float64Array(layout.length * n);
  const logs: LogRecord[][] = truth.entities.map(() => []);
  if (withLogs) {
    sim.onLog = (ei, tMs, offNs, line) => logs[ei].push({ ns: nsString(tMs, offNs), line });
  }
  const slots = Int32Array.from(layout.map((s) => s.slot));
  const ents = Int32Array.from(layout.map((s) => s.entity));
  for (let k = 0; k < n; k++) {
    times[k] = sim.t;
    sim.step();
    for (let j = 0; j < layout.length; j++) {
      values[j * n + k] = sim.state[ents[j]][slots[j]];
    }
  }
  return { truth, layout, times, values, logs };
}

/** `tMs` ms + `offNs` ns as an exact decimal nanosecond string. */
export function nsString(tMs: number, offNs: number): string {
  const ms = tMs + Math.floor(offNs / 1e6);
  return `${ms}${String(offNs % 1e6).padStart(6, '0')}`;
}

function fmtValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e4) / 1e4);
}

/**
 * Streams the OpenMetrics text in chunks of about `chunkChars` characters (the whole file is
 * hundreds of MB for a week, so it is never held as one string).
 */
export function writeOpenMetricsChunks(
  data: GeneratedData,
  write: (chunk: string) => void,
  chunkChars = 1 << 22
): void {
  const n = data.times.length;
  const ts = Array.from(data.times, (t) => (t % 1000 === 0 ? String(t / 1000) : (t / 1000).toFixed(3)));
  let buf = '';
  let family = -1;
  for (let j = 0; j < data.layout.length; j++) {
    const s = data.layout[j];
    if (s.family !== family) {
      family = s.family;
      const f = FAMILIES[family];
      buf += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
    }
    const prefix = `${s.sample}{${s.labels}} `;
    const base = j * n;
    for (let k = 0; k < n; k++) {
      buf += prefix + fmtValue(data.values[base + k]) + ' ' + ts[k] + '\n';
    }
    if (buf.length >= chunkChars) {
      write(buf);
      buf = '';
    }
  }
  write(buf + '# EOF\n');
}

export function writeOpenMetricsFile(data: GeneratedData, file: string): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  try {
    writeOpenMetricsChunks(data, (chunk) => {
      bytes += fs.writeSync(fd, chunk);
    });
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/** Stream labels of the error logs (docs/instrumentation.md, "Logs"). */
export function logStreamLabels(e: { model: string; version: string; region: string }): Record<string, string> {
  return { app: 'model-service', model: e.model, version: e.version, region: e.region, level: 'error' };
}

/** Body for Loki's `POST /loki/api/v1/push`: one stream per entity, values in time order. */
export function lokiPushBody(data: GeneratedData): {
  streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }>;
} {
  return {
    streams: data.truth.entities
      .map((e, ei) => ({
        stream: logStreamLabels(e),
        values: data.logs[ei].map((r) => [r.ns, r.line] as [string, string]),
      }))
      .filter((s) => s.values.length > 0),
  };
}

export function truthJson(truth: GroundTruth): string {
  return JSON.stringify(truth, null, 2) + '\n';
}

export interface WriteSummary {
  dir: string;
  files: Record<string, number>;
  series: number;
  samples: number;
  logLines: number;
  incidents: number;
  benign: number;
  ms: { generate: number; write: number };
}

/** Generates and writes `metrics.om`, `incidents.json` and `loki-push.json` into `dir`. */
export function writeDemo(opts: GeneratorOptions, dir: string, withLogs = true): WriteSummary {
  const t0 = Date.now();
  const data = generate(opts, withLogs);
  const t1 = Date.now();
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<string, number> = {};
  files['metrics.om'] = writeOpenMetricsFile(data, path.join(dir, 'metrics.om'));
  const truth = truthJson(data.truth);
  fs.writeFileSync(path.join(dir, 'incidents.json'), truth);
  files['incidents.json'] = Buffer.byteLength(truth);
  if (withLogs) {
    const body = JSON.stringify(lokiPushBody(data));
    fs.writeFileSync(path.join(dir, 'loki-push.json'), body);
    files['loki-push.json'] = Buffer.byteLength(body);
  }
  return {
    dir,
    files,
    series: data.layout.length,
    samples: data.layout.length * data.times.length,
    logLines: data.logs.reduce((a, l) => a + l.length, 0),
    incidents: data.truth.incidents.length,
    benign: data.truth.benign.length,
    ms: { generate: t1 - t0, write: Date.now() - t1 },
  };
}
