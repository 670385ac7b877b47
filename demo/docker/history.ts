/**
 * Init job of the Docker demo stack (compose service `history`, node image, run through
 * demo/docker/with-tsx.sh): writes a few days of demo history that END AT THE CURRENT TIME, so the
 * scores have a baseline the moment Grafana opens.
 *
 *   HISTORY_DIR/metrics.om    OpenMetrics; the `backfill` service turns it into TSDB blocks with
 *                             promtool (Prometheus' data volume) and then deletes it
 *   HISTORY_DIR/incidents.json ground truth of the history (incidents.json format)
 *   HISTORY_DIR/loki-push.json the history's error logs (Loki push body), pushed to LOKI_URL here
 *   HISTORY_DIR/state.json    the simulator's state after the last backfilled step (every counter,
 *                             bucket and gauge per entity), for a live exporter that resumes from it
 *   HISTORY_DIR/history.json  written last: the window and options (marker: a later `docker compose
 *                             up` with the same volume skips generation)
 *   HISTORY_DIR/loki.json     marker: the logs were pushed
 *
 * Environment (the same variables as demo/generator/live.ts, so the live exporter simulates the
 * same fleet with the same seed and step):
 *   SEED=42 MODELS=3 VERSIONS=2 REGIONS=2 STEP_SECONDS=15
 *   HISTORY_DAYS=3 HISTORY_INCIDENTS=12 HISTORY_QUIET_HOURS=min(24, days x 8) HISTORY_DIR=/history
 *   HISTORY_SURGES, HISTORY_DEPLOYS (default: the generator's, one per 3 entities)
 *   LOKI_URL=http://loki:3100 (unset: no log push)  LOKI_MAX_AGE_HOURS=168 (Loki's
 *   reject_old_samples_max_age: older lines are dropped, not sent)  LOKI_MAX_BODY_BYTES=1048576
 *
 * Library use (tests): historyWindow, historyArgs, splitLokiPush, resumeState, pushLoki, runHistory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { SLOT } from '../generator/model';
import { generate, lokiPushBody, truthJson, writeOpenMetricsFile, type GeneratedData } from '../generator/openmetrics';
import { parseGeneratorArgs } from '../generator/options';
import { alignDown } from '../generator/schedule';
import { DAY_MS, HOUR_MS, type Entity, type GeneratorOptions } from '../generator/types';

export type Env = Record<string, string | undefined>;

export interface HistoryWindow {
  /** epoch ms of the first sample */
  start: number;
  /** epoch ms, exclusive: the last sample is at end - stepMs <= now */
  end: number;
  stepMs: number;
}

/**
 * The window of `days` days that ends at `nowMs`: end = now aligned down to the step (so the live
 * exporter, which also aligns its first step down to the step, never writes a sample the history
 * already has), start = end - days. The generator samples start, start + step, …, < end.
 */
export function historyWindow(nowMs: number, days: number, stepSeconds: number): HistoryWindow {
  if (!(days > 0) || !Number.isFinite(days)) {
    throw new Error(`HISTORY_DAYS must be a positive number, got ${days}`);
  }
  const stepMs = Math.round(stepSeconds * 1000);
  if (!(stepMs >= 1000)) {
    throw new Error(`STEP_SECONDS must be at least 1, got ${stepSeconds}`);
  }
  const end = alignDown(nowMs, stepMs);
  // Align the start too, so the samples sit on the same grid as the live exporter's steps.
  const start = alignDown(end - Math.round(days * DAY_MS), stepMs);
  return { start, end, stepMs };
}

/** Generator flags for the window, from the same environment variables live.ts reads. */
export function historyArgs(env: Env, w: HistoryWindow): string[] {
  const args: string[] = [];
  for (const [k, flag] of [
    ['SEED', 'seed'],
    ['MODELS', 'models'],
    ['VERSIONS', 'versions'],
    ['REGIONS', 'regions'],
  ] as const) {
    if (env[k]) {
      args.push(`--${flag}`, env[k]!);
    }
  }
  args.push('--step', String(w.stepMs / 1000));
  args.push('--start', new Date(w.start).toISOString());
  args.push('--days', String((w.end - w.start) / DAY_MS));
  args.push('--incidents', env.HISTORY_INCIDENTS ?? '12');
  // No event in the first day (detectors need a baseline), or the first third of a shorter history.
  args.push('--quiet-hours', env.HISTORY_QUIET_HOURS ?? String(Math.min(24, ((w.end - w.start) / DAY_MS) * 8)));
  if (env.HISTORY_SURGES) {
    args.push('--surges', env.HISTORY_SURGES);
  }
  if (env.HISTORY_DEPLOYS) {
    args.push('--deploys', env.HISTORY_DEPLOYS);
  }
  return args;
}

export function historyOptions(env: Env, nowMs: number): { window: HistoryWindow; opts: GeneratorOptions } {
  const window = historyWindow(nowMs, Number(env.HISTORY_DAYS ?? 3), Number(env.STEP_SECONDS ?? 15));
  const { opts } = parseGeneratorArgs(historyArgs(env, window), '');
  return { window, opts };
}

// ---------------------------------------------------------------------------------------------
// Resume state for the live exporter
// ---------------------------------------------------------------------------------------------

export interface ResumeState {
  seed: number;
  stepMs: number;
  /** Time of the step after the last backfilled sample (epoch ms). */
  t: number;
  slots: number;
  entities: Entity[];
  /** Per entity, the simulator's state array (model.ts SLOT layout) after the last step. */
  state: number[][];
}

/** The value every series had at the last sample, laid back out as the simulator's state arrays. */
export function resumeState(data: GeneratedData, seed: number): ResumeState {
  const n = data.times.length;
  const state = data.truth.entities.map(() => new Array<number>(SLOT.size).fill(0));
  if (n > 0) {
    data.layout.forEach((s, j) => {
      state[s.entity][s.slot] = data.values[j * n + n - 1];
    });
  }
  return {
    seed,
    stepMs: data.truth.stepMs,
    t: n > 0 ? data.times[n - 1] + data.truth.stepMs : data.truth.start,
    slots: SLOT.size,
    entities: data.truth.entities,
    state,
  };
}

// ---------------------------------------------------------------------------------------------
// Loki
// ---------------------------------------------------------------------------------------------

export interface LokiStream {
  stream: Record<string, string>;
  values: Array<[string, string]>;
}
export interface LokiBody {
  streams: LokiStream[];
}

/** Nanosecond decimal strings of the same era compare by length, then lexicographically. */
function compareNs(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Splits a push body into bodies of at most about `maxBytes` of JSON each (Loki rejects bodies
 * over its gRPC message limit, 4 MB by default), in global time order: every chunk is newer than
 * the one before, so each stream's lines arrive in order (Loki accepts out-of-order lines only
 * within max_chunk_age / 2 of a stream's newest line). Lines older than `minNs` are dropped (Loki
 * would reject them as too old). A single line larger than `maxBytes` gets a body of its own.
 */
export function splitLokiPush(body: LokiBody, maxBytes: number, minNs = '0'): LokiBody[] {
  const events: Array<{ s: number; v: [string, string] }> = [];
  body.streams.forEach((st, s) => {
    for (const v of st.values) {
      if (compareNs(v[0], minNs) >= 0) {
        events.push({ s, v });
      }
    }
  });
  // Stable sort: lines with equal timestamps keep their order within a stream.
  events.sort((a, b) => compareNs(a.v[0], b.v[0]));
  const headers = body.streams.map((st) => JSON.stringify({ stream: st.stream, values: [] }).length + 1);
  const out: LokiBody[] = [];
  let current = new Map<number, Array<[string, string]>>();
  let size = '{"streams":[]}'.length;
  const flush = () => {
    if (current.size > 0) {
      out.push({ streams: [...current].map(([s, values]) => ({ stream: body.streams[s].stream, values })) });
    }
    current = new Map();
    size = '{"streams":[]}'.length;
  };
  for (const e of events) {
    const cost = JSON.stringify(e.v).length + 1 + (current.has(e.s) ? 0 : headers[e.s]);
    if (size + cost > maxBytes && current.size > 0) {
      flush();
    }
    const list = current.get(e.s);
    if (list) {
      list.push(e.v);
    } else {
      current.set(e.s, [e.v]);
      size += headers[e.s];
    }
    size += JSON.stringify(e.v).length + 1;
  }
  flush();
  return out;
}

export interface PushOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  /** How long to wait for Loki's /ready (default 5 minutes). */
  readyTimeoutMs?: number;
  /** Attempts per body on 429 / 5xx / connection errors (default 30). */
  attempts?: number;
  /** Keep below Loki's default ingestion rate (4 MB/s per tenant): default 2 MB/s. */
  bytesPerSecond?: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits for Loki's /ready (it answers 503 for a while after start). */
export async function waitForLoki(lokiUrl: string, o: PushOptions = {}): Promise<void> {
  const f = o.fetch ?? fetch;
  const sleep = o.sleep ?? realSleep;
  const deadline = Date.now() + (o.readyTimeoutMs ?? 300_000);
  let last = '';
  for (let i = 0; ; i++) {
    try {
      const res = await f(`${lokiUrl}/ready`);
      if (res.ok) {
        return;
      }
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Loki at ${lokiUrl} not ready (${last})`);
    }
    if (i % 10 === 0) {
      o.log?.(`waiting for Loki at ${lokiUrl} (${last})`);
    }
    await sleep(2000);
  }
}

/**
 * Pushes the bodies in order. Retries 429 (rate limit), 5xx and connection errors with backoff;
 * a 4xx other than 429 (e.g. some lines too old) is reported and the push goes on, because Loki
 * keeps the valid lines of a partly rejected body. Returns the number of bodies fully accepted.
 */
export async function pushLoki(lokiUrl: string, bodies: LokiBody[], o: PushOptions = {}): Promise<number> {
  const f = o.fetch ?? fetch;
  const sleep = o.sleep ?? realSleep;
  const attempts = o.attempts ?? 30;
  const rate = o.bytesPerSecond ?? 2 * 1024 * 1024;
  let accepted = 0;
  for (const [i, body] of bodies.entries()) {
    const text = JSON.stringify(body);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let detail = '';
      try {
        const res = await f(`${lokiUrl}/loki/api/v1/push`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: text,
        });
        status = res.status;
        if (res.ok) {
          accepted++;
          break;
        }
        detail = (await res.text()).slice(0, 300);
      } catch (e) {
        detail = (e as Error).message;
      }
      if (status >= 400 && status < 500 && status !== 429) {
        o.log?.(`loki push ${i + 1}/${bodies.length}: HTTP ${status} ${detail} (continuing)`);
        break;
      }
      if (attempt >= attempts) {
        throw new Error(
          `loki push ${i + 1}/${bodies.length} failed after ${attempts} attempts: ${status || ''} ${detail}`
        );
      }
      await sleep(Math.min(10_000, 500 * attempt));
    }
    const minMs = (text.length / rate) * 1000;
    const spent = Date.now() - started;
    if (spent < minMs) {
      await sleep(minMs - spent);
    }
  }
  return accepted;
}

// ---------------------------------------------------------------------------------------------
// The job
// ---------------------------------------------------------------------------------------------

export interface HistoryMarker {
  start: number;
  end: number;
  stepMs: number;
  seed: number;
  entities: number;
  series: number;
  samples: number;
  logLines: number;
  incidents: number;
  generatedAt: string;
}

export interface RunResult {
  generated: boolean;
  marker: HistoryMarker;
  /** undefined: no LOKI_URL; 'skipped': already pushed; else bodies accepted / sent, or the error. */
  loki: undefined | 'skipped' | { accepted: number; bodies: number; lines: number } | { error: string };
}

function writeAtomic(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

/** Generates the history (unless HISTORY_DIR already has it) and pushes its logs to Loki. */
export async function runHistory(env: Env, nowMs = Date.now(), o: PushOptions = {}): Promise<RunResult> {
  const log = o.log ?? ((line: string) => process.stdout.write(`history: ${line}\n`));
  const dir = env.HISTORY_DIR ?? '/history';
  fs.mkdirSync(dir, { recursive: true });
  // The backfill service runs as Prometheus' user (nobody) and deletes metrics.om when done.
  fs.chmodSync(dir, 0o777);
  const markerFile = path.join(dir, 'history.json');
  let generated = false;
  let marker: HistoryMarker;
  if (fs.existsSync(markerFile)) {
    marker = JSON.parse(fs.readFileSync(markerFile, 'utf8'));
    log(
      `history already generated (${new Date(marker.start).toISOString()} .. ${new Date(marker.end).toISOString()}); ` +
        'docker compose down -v starts over'
    );
  } else {
    const { window, opts } = historyOptions(env, nowMs);
    log(
      `generating ${(window.end - window.start) / DAY_MS} days, ${new Date(window.start).toISOString()} .. ${new Date(window.end).toISOString()}, step ${window.stepMs / 1000}s, seed ${opts.seed}`
    );
    const t0 = Date.now();
    const data = generate(opts, true);
    const om = path.join(dir, 'metrics.om');
    const bytes = writeOpenMetricsFile(data, `${om}.tmp`);
    fs.renameSync(`${om}.tmp`, om);
    fs.chmodSync(om, 0o666);
    writeAtomic(path.join(dir, 'incidents.json'), truthJson(data.truth));
    writeAtomic(path.join(dir, 'loki-push.json'), JSON.stringify(lokiPushBody(data)));
    writeAtomic(path.join(dir, 'state.json'), JSON.stringify(resumeState(data, opts.seed)));
    marker = {
      start: window.start,
      end: window.end,
      stepMs: window.stepMs,
      seed: opts.seed,
      entities: data.truth.entities.length,
      series: data.layout.length,
      samples: data.layout.length * data.times.length,
      logLines: data.logs.reduce((a, l) => a + l.length, 0),
      incidents: data.truth.incidents.length,
      generatedAt: new Date(nowMs).toISOString(),
    };
    writeAtomic(markerFile, JSON.stringify(marker, null, 2) + '\n');
    generated = true;
    log(
      `wrote ${marker.series} series, ${marker.samples} samples (${Math.round(bytes / 1e6)} MB), ${marker.logLines} log lines, ${marker.incidents} incidents in ${Date.now() - t0} ms`
    );
  }

  let loki: RunResult['loki'];
  const lokiUrl = env.LOKI_URL?.replace(/\/+$/, '');
  const lokiMarker = path.join(dir, 'loki.json');
  if (!lokiUrl) {
    log('LOKI_URL unset: logs not pushed');
  } else if (fs.existsSync(lokiMarker)) {
    loki = 'skipped';
    log('logs already pushed to Loki');
  } else {
    const body = JSON.parse(fs.readFileSync(path.join(dir, 'loki-push.json'), 'utf8')) as LokiBody;
    // One hour of margin inside Loki's reject_old_samples_max_age.
    const maxAgeMs = Number(env.LOKI_MAX_AGE_HOURS ?? 168) * HOUR_MS - HOUR_MS;
    const minNs = `${Math.max(0, nowMs - maxAgeMs)}000000`;
    const bodies = splitLokiPush(body, Number(env.LOKI_MAX_BODY_BYTES ?? 1 << 20), minNs);
    const lines = bodies.reduce((a, b) => a + b.streams.reduce((x, s) => x + s.values.length, 0), 0);
    // A Loki failure must not hold back Prometheus (the backfill waits for this job): report it,
    // leave the marker unwritten so the next `docker compose up` tries again, and exit 0.
    try {
      await waitForLoki(lokiUrl, { ...o, log });
      log(`pushing ${lines} log lines to ${lokiUrl} in ${bodies.length} bodies`);
      const accepted = await pushLoki(lokiUrl, bodies, { ...o, log });
      loki = { accepted, bodies: bodies.length, lines };
      writeAtomic(lokiMarker, JSON.stringify({ ...loki, pushedAt: new Date().toISOString() }) + '\n');
      log(`Loki accepted ${accepted}/${bodies.length} bodies`);
    } catch (e) {
      loki = { error: (e as Error).message };
      log(`logs NOT pushed (${loki.error}); the error_logs signal has no history`);
    }
  }
  return { generated, marker, loki };
}

if (require.main === module) {
  runHistory(process.env).then(
    () => process.exit(0),
    (e: Error) => {
      process.stderr.write(`history: ${e.message}\n`);
      process.exit(1);
    }
  );
}
