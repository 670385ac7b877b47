/**
 * `PORT=N npm run preview` (= `tsx preview/server.ts`): builds the preview page and serves it on
 * 127.0.0.1:N, printing `Preview: http://127.0.0.1:N/`.
 *
 * Data, in order of preference:
 *   --prometheus URL (or env PROMETHEUS_URL)  an existing Prometheus, proxied at /prom (no CORS)
 *   `prometheus` + `promtool` on PATH         generate the demo data (demo/generator), backfill it,
 *                                             start Prometheus on loopback, point the page at it
 *   otherwise (or --fixtures)                 deterministic fixture frames (no Prometheus)
 *
 * Other flags: --port N (default env PORT, else 3000; 0 picks a free port), --host H (127.0.0.1),
 * --no-build (serve the existing bundle), --days D (demo length, default 7), --seed N (42).
 * The demo spec is demo/spec.yaml when it exists, else the built-in preview/demoSpec.ts.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import { buildPreview, DEFAULT_OUT_DIR, ROOT } from './build';
import type { PreviewConfig } from './index';

const UI_IMG = path.join(ROOT, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

export interface ServerOptions {
  host?: string;
  port?: number;
  bundleDir?: string;
  /** Proxied at /prom/api/v1/* when set. */
  prometheusUrl?: string;
  page?: PreviewConfig;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? {})
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function indexHtml(page: PreviewConfig): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Anomaly Score preview</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/preview.css">
<script>
window.__PREVIEW_CONFIG__ = ${scriptJson(page)};
// What Grafana's index.html provides before any plugin code runs (@grafana/runtime reads it at load).
(function () {
  var light = new URLSearchParams(location.search).get('theme') === 'light';
  window.grafanaBootData = {
    assets: { dark: '', light: '' },
    settings: { appSubUrl: '', appUrl: location.origin + '/', buildInfo: { version: '13.1.1', edition: 'Preview', env: 'development' }, featureToggles: {}, datasources: {}, panels: {} },
    user: { id: 1, login: 'preview', name: 'Preview', orgId: 1, orgRole: 'Admin', isSignedIn: true, theme: light ? 'light' : 'dark', lightTheme: light, timezone: 'utc', locale: 'en-US', language: 'en-US', weekStart: 'monday' },
    navTree: []
  };
  window.__grafana_public_path__ = '/public/';
})();
</script>
</head>
<body>
<div id="root"></div>
<script src="/preview.js"></script>
</body>
</html>
`;
}

/** A file under `dir` for a URL path, or undefined (no escaping the directory). */
function fileUnder(dir: string, urlPath: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const file = path.resolve(dir, '.' + path.posix.normalize('/' + rel));
  if (!file.startsWith(dir + path.sep)) {
    return undefined;
  }
  try {
    return fs.statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(res: http.ServerResponse, file: string, cache: boolean): void {
  res.writeHead(200, {
    'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
    'Cache-Control': cache ? 'public, max-age=3600' : 'no-store',
  });
  fs.createReadStream(file).pipe(res);
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, base: string, upstreamPath: string): void {
  const target = new URL(upstreamPath, base.endsWith('/') ? base : base + '/');
  const headers: http.OutgoingHttpHeaders = { accept: req.headers.accept ?? 'application/json' };
  for (const h of ['content-type', 'content-length']) {
    if (req.headers[h]) {
      headers[h] = req.headers[h];
    }
  }
  const up = http.request(target, { method: req.method, headers }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, {
      'Content-Type': upRes.headers['content-type'] ?? 'application/json',
      'Cache-Control': 'no-store',
    });
    upRes.pipe(res);
  });
  up.on('error', (e) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'Content-Type': 'application/json' });
    }
    res.end(JSON.stringify({ status: 'error', error: `preview proxy: ${base}: ${e.message}` }));
  });
  req.pipe(up);
}

export function startPreviewServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const bundleDir = path.resolve(opts.bundleDir ?? DEFAULT_OUT_DIR);
  const page: PreviewConfig = { ...(opts.page ?? {}) };
  if (opts.prometheusUrl && !page.prometheus) {
    page.prometheus = '/prom';
  }
  const html = indexHtml(page);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://preview.local');
    const p = url.pathname;
    if (p === '/' || p === '/index.html') {
      res.writeHead(200, { 'Content-Type': MIME['.html'], 'Cache-Control': 'no-store' });
      res.end(html);
      return;
    }
    if (p === '/preview-config.json') {
      res.writeHead(200, { 'Content-Type': MIME['.json'] });
      res.end(JSON.stringify(page));
      return;
    }
    if (p.startsWith('/prom/')) {
      if (!opts.prometheusUrl) {
        res.writeHead(503, { 'Content-Type': MIME['.json'] });
        res.end(JSON.stringify({ status: 'error', error: 'the preview server was started without Prometheus' }));
        return;
      }
      proxy(req, res, opts.prometheusUrl, p.slice('/prom/'.length) + url.search);
      return;
    }
    if (p.startsWith('/public/build/img/')) {
      const file = fileUnder(UI_IMG, p.slice('/public/build/img/'.length));
      if (file) {
        sendFile(res, file, true);
        return;
      }
    } else {
      const file = fileUnder(bundleDir, p.slice(1));
      if (file) {
        sendFile(res, file, false);
        return;
      }
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end(`not found: ${p}\n`);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        url: `http://${host}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

// --- CLI ------------------------------------------------------------------------------------------

interface CliArgs {
  port: number;
  host: string;
  prometheus?: string;
  fixtures: boolean;
  build: boolean;
  days: number;
  seed: number;
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = {
    port: Number(process.env.PORT ?? 3000),
    host: '127.0.0.1',
    prometheus: process.env.PROMETHEUS_URL || undefined,
    fixtures: false,
    build: true,
    days: 7,
    seed: 42,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) {
        throw new Error(`${a} needs a value`);
      }
      return v;
    };
    const name = a.split('=')[0];
    switch (name) {
      case '--port':
        args.port = Number(value());
        break;
      case '--host':
        args.host = value();
        break;
      case '--prometheus':
        args.prometheus = value();
        break;
      case '--fixtures':
        args.fixtures = true;
        break;
      case '--no-build':
        args.build = false;
        break;
      case '--days':
        args.days = Number(value());
        break;
      case '--seed':
        args.seed = Number(value());
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          'usage: PORT=N npm run preview -- [--prometheus URL | --fixtures] [--port N] [--host H] [--no-build] [--days D] [--seed N]\n'
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${a} (see --help)`);
    }
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    throw new Error(`bad port ${args.port}`);
  }
  return args;
}

const log = (msg: string) => process.stderr.write(`preview: ${msg}\n`);

/** demo/spec.yaml when present and valid, else the built-in demo spec. */
async function demoSpec(): Promise<{ spec: PreviewConfig['spec']; source: string; history: string }> {
  const { DEMO_SPEC, DEMO_HISTORY } = await import('./demoSpec');
  const file = path.join(ROOT, 'demo', 'spec.yaml');
  if (fs.existsSync(file)) {
    const { parseSpec, formatSpecErrors } = await import('../src/scoring/spec');
    const parsed = parseSpec(fs.readFileSync(file, 'utf8'));
    if (parsed.ok && parsed.spec) {
      return { spec: parsed.spec, source: 'demo/spec.yaml', history: DEMO_HISTORY };
    }
    log(`demo/spec.yaml is invalid, using the built-in demo spec:\n${formatSpecErrors(parsed.errors)}`);
  }
  return { spec: DEMO_SPEC, source: 'preview/demoSpec.ts', history: DEMO_HISTORY };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cleanups: Array<() => Promise<void>> = [];
  let page: PreviewConfig = {};
  let prometheusUrl = args.prometheus;

  const bundleReady = fs.existsSync(path.join(DEFAULT_OUT_DIR, 'preview.js'));
  if (args.build || !bundleReady) {
    const r = await buildPreview();
    log(`built the page in ${r.ms} ms`);
  }

  const { prometheusAvailable, startPrometheus } = await import('../tests/integration/prometheus');
  if (prometheusUrl && !args.fixtures) {
    const spec = await demoSpec();
    page = { spec: spec.spec, specSource: spec.source, history: spec.history };
    log(
      `proxying /prom to ${prometheusUrl} (spec: ${spec.source}); the page shows the last 6 hours (other ranges: ?from=…&to=…, epoch ms or ISO)`
    );
  } else if (!args.fixtures && prometheusAvailable()) {
    const { defaultOptions, DAY_MS, HOUR_MS } = await import('../demo/generator/types');
    const { writeDemo } = await import('../demo/generator/openmetrics');
    const os = await import('node:os');
    const tmp = fs.mkdtempSync(
      path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'anomalyscore-preview-')
    );
    try {
      const t0 = Date.now();
      const base = defaultOptions({ seed: args.seed });
      const opts = { ...base, end: base.start + args.days * DAY_MS };
      writeDemo(opts, tmp, false);
      const truth = JSON.parse(fs.readFileSync(path.join(tmp, 'incidents.json'), 'utf8')) as {
        end: number;
        stepMs: number;
      };
      log(`generated ${args.days} days of demo data in ${Date.now() - t0} ms; backfilling Prometheus …`);
      const prom = await startPrometheus({ openMetricsFile: path.join(tmp, 'metrics.om') });
      cleanups.push(() => prom.stop());
      prometheusUrl = prom.url;
      const spec = await demoSpec();
      const to = truth.end - truth.stepMs;
      page = { spec: spec.spec, specSource: spec.source, history: spec.history, from: to - DAY_MS + truth.stepMs, to };
      log(
        `Prometheus ${prom.url} ready (backfill ${prom.timings.backfill} ms); spec: ${spec.source}; range: last ${DAY_MS / HOUR_MS} h of the demo`
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } else {
    if (!args.fixtures) {
      log(
        'prometheus/promtool not found on PATH: using fixture frames. For the demo data in a real Prometheus: ' +
          'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus'
      );
    }
    page = {};
  }

  const server = await startPreviewServer({ host: args.host, port: args.port, prometheusUrl, page });
  cleanups.push(() => server.close());
  process.stdout.write(`Preview: ${server.url}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) {
      return;
    }
    stopping = true;
    for (const c of cleanups.reverse()) {
      await c().catch(() => undefined);
    }
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`preview: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
