/**
 * A real Prometheus for integration tests: backfills OpenMetrics data with promtool, starts the
 * Debian `prometheus` binary on a free loopback port with no scrape targets, and queries it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { DataFrameJSONLike, PromMatrixResult, PromQueryOptions, matrixToFrames } from './promFrames';

export interface StartOptions {
  /** An OpenMetrics file (timestamps in seconds, ending in `# EOF`) to backfill. */
  openMetricsFile?: string;
  /** Or: a function that writes OpenMetrics text, streamed into a temporary file. */
  seriesGenerator?: (write: (chunk: string) => void) => void;
  /** Parent for the temporary directory (default: /dev/shm when present, else the OS tmpdir). */
  tmpRoot?: string;
  /** Extra Prometheus flags. */
  args?: string[];
  /** How long to wait for `/-/ready` (default 30 s). */
  readyTimeoutMs?: number;
}

export interface RunningPrometheus {
  url: string;
  port: number;
  dataDir: string;
  /** Timings in ms, for reports. */
  timings: { backfill: number; start: number };
  stop(): Promise<void>;
}

const DEBIAN_HINT =
  'install the Debian package: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus (it provides prometheus and promtool)';

/** Looks `name` up on PATH; throws an error naming the Debian package when missing. */
export function findBinary(name: 'prometheus' | 'promtool'): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) {
        return p;
      }
    } catch {
      // not here; keep looking
    }
  }
  throw new Error(`${name} not found on PATH: ${DEBIAN_HINT}`);
}

/** True when both binaries are installed (lets suites skip with a clear message instead of failing). */
export function prometheusAvailable(): boolean {
  try {
    findBinary('prometheus');
    findBinary('promtool');
    return true;
  } catch {
    return false;
  }
}

function defaultTmpRoot(): string {
  // The OpenMetrics file of a demo week is ~0.8 GB: RAM-backed /dev/shm avoids the disk round trip.
  try {
    if (fs.statSync('/dev/shm').isDirectory()) {
      fs.accessSync('/dev/shm', fs.constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // fall through
  }
  return os.tmpdir();
}

/**
 * Prometheus does not accept `--web.listen-address=127.0.0.1:0`, so ask the kernel for a free
 * port first (a tiny race with other processes; start retries on a bind failure).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `promtool tsdb create-blocks-from openmetrics` with large blocks (one pass over the file). */
export async function backfill(openMetricsFile: string, dataDir: string): Promise<void> {
  const promtool = findBinary('promtool');
  const r = await run(promtool, [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '--max-block-duration=576h',
    openMetricsFile,
    dataDir,
  ]);
  if (r.code !== 0) {
    throw new Error(
      `promtool backfill of ${openMetricsFile} failed (exit ${r.code}):\n${(r.stderr || r.stdout).slice(-4000)}`
    );
  }
}

function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function httpPostForm(
  url: string,
  form: Record<string, string>,
  timeoutMs = 60_000
): Promise<{ status: number; body: string }> {
  const payload = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        timeout: timeoutMs,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(payload) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPrometheus(opts: StartOptions): Promise<RunningPrometheus> {
  const prometheus = findBinary('prometheus');
  findBinary('promtool');
  if (!opts.openMetricsFile && !opts.seriesGenerator) {
    throw new Error('startPrometheus: give openMetricsFile or seriesGenerator');
  }
  const tmp = fs.mkdtempSync(path.join(opts.tmpRoot ?? defaultTmpRoot(), 'anomalyscore-prom-'));
  const dataDir = path.join(tmp, 'data');
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const t0 = Date.now();
    let file = opts.openMetricsFile;
    if (!file) {
      file = path.join(tmp, 'input.om');
      const fd = fs.openSync(file, 'w');
      try {
        opts.seriesGenerator!((chunk) => fs.writeSync(fd, chunk));
      } finally {
        fs.closeSync(fd);
      }
    }
    await backfill(file, dataDir);
    if (!opts.openMetricsFile) {
      fs.rmSync(file, { force: true }); // the blocks hold the data now
    }
    const t1 = Date.now();

    // No scrape targets: the backfilled blocks are the only data.
    const config = path.join(tmp, 'prometheus.yml');
    fs.writeFileSync(config, 'global:\n  scrape_interval: 1m\n  evaluation_interval: 1m\nscrape_configs: []\n');

    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const child = spawn(
        prometheus,
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${dataDir}`,
          '--storage.tsdb.retention.time=3650d',
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
          ...(opts.args ?? []),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] }
      );
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-8000)));
      const url = `http://127.0.0.1:${port}`;
      const ready = await waitReady(child, url, opts.readyTimeoutMs ?? 30_000);
      if (ready === true) {
        const t2 = Date.now();
        let stopped = false;
        return {
          url,
          port,
          dataDir,
          timings: { backfill: t1 - t0, start: t2 - t1 },
          stop: async () => {
            if (stopped) {
              return;
            }
            stopped = true;
            await kill(child);
            cleanup();
          },
        };
      }
      await kill(child);
      if (attempt < 2 && /address already in use/i.test(stderr)) {
        continue; // lost the free-port race: try another port
      }
      throw new Error(`prometheus did not become ready (${ready}):\n${stderr.slice(-4000)}`);
    }
  } catch (e) {
    cleanup();
    throw e;
  }
}

async function waitReady(child: ChildProcess, url: string, timeoutMs: number): Promise<true | string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return `exited with ${child.exitCode ?? child.signalCode}`;
    }
    try {
      const r = await httpGet(`${url}/-/ready`, 1000);
      if (r.status === 200) {
        return true;
      }
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return `timed out after ${timeoutMs} ms`;
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Prometheus refuses range queries over 11,000 points per series. */
export const MAX_POINTS_PER_SERIES = 11_000;

/** Raw `/api/v1/query_range` (one request); throws with Prometheus' error message on failure. */
export async function queryRangeRaw(
  url: string,
  expr: string,
  startMs: number,
  endMs: number,
  stepMs: number
): Promise<PromMatrixResult[]> {
  const r = await httpPostForm(`${url}/api/v1/query_range`, {
    query: expr,
    start: String(startMs / 1000),
    end: String(endMs / 1000),
    step: String(stepMs / 1000),
  });
  let json: { status?: string; error?: string; data?: { resultType: string; result: PromMatrixResult[] } };
  try {
    json = JSON.parse(r.body);
  } catch {
    throw new Error(`query_range ${expr}: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
  }
  if (json.status !== 'success' || !json.data) {
    throw new Error(`query_range ${expr}: HTTP ${r.status}: ${json.error ?? r.body.slice(0, 500)}`);
  }
  return json.data.result;
}

/**
 * Range query returned as the frames Grafana's Prometheus data source makes of it (see
 * promFrames.ts). Ranges longer than 11,000 steps are split into consecutive requests and the
 * pieces of each series joined, so callers can ask for a week at 30 s.
 */
export async function queryRange(
  url: string,
  expr: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  options: PromQueryOptions = {}
): Promise<DataFrameJSONLike[]> {
  if (!(stepMs > 0) || endMs < startMs) {
    throw new Error(`queryRange: bad range start=${startMs} end=${endMs} step=${stepMs}`);
  }
  const merged = new Map<string, PromMatrixResult>();
  const span = (MAX_POINTS_PER_SERIES - 1) * stepMs;
  for (let s = startMs; s <= endMs; s += span + stepMs) {
    const e = Math.min(endMs, s + span);
    for (const series of await queryRangeRaw(url, expr, s, e, stepMs)) {
      const key = JSON.stringify(Object.entries(series.metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      const prev = merged.get(key);
      if (prev) {
        for (const v of series.values) {
          prev.values.push(v);
        }
      } else {
        merged.set(key, { metric: series.metric, values: [...series.values] });
      }
    }
  }
  return matrixToFrames([...merged.values()], { expr, stepMs, ...options });
}
