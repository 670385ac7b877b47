/**
 * @jest-environment node
 *
 * The Docker demo stack without Docker: the compose services and their start order, the init jobs
 * (history ending now, the promtool backfill script, the Loki push), the Prometheus config, the
 * provisioning and the generated "Model health triage" dashboard.
 */
import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parse } from 'yaml';

import {
  DASHBOARD_FILE,
  DATASOURCE,
  PANEL_TYPE,
  SPEC_FILE,
  dashboardJson,
  readSpec,
} from '../../demo/docker/build-dashboard';
import {
  historyOptions,
  historyWindow,
  pushLoki,
  runHistory,
  splitLokiPush,
  waitForLoki,
  type LokiBody,
  type ResumeState,
} from '../../demo/docker/history';
import { SLOT } from '../../demo/generator/model';
import { planGroundTruth } from '../../demo/generator/schedule';
import { parseGeneratorArgs } from '../../demo/generator/options';
import { DAY_MS } from '../../demo/generator/types';
import { validateSpec } from '../../src/scoring/spec';

const root = path.resolve(__dirname, '../..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');
const has = (bin: string, args: string[]) => spawnSync(bin, args, { stdio: 'ignore' }).status === 0;
const hasDockerCompose = has('docker-compose', ['version']);
const hasPromtool = has('promtool', ['--version']);
// CI installs docker-compose and promtool; elsewhere these checks are skipped, not faked.
const itWithCompose = hasDockerCompose || process.env.CI ? it : it.skip;
const itWithPromtool = hasPromtool || process.env.CI ? it : it.skip;

type Service = {
  image?: string;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  user?: string;
};
const compose = parse(read('docker-compose.yaml')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;

function deps(name: string): Record<string, string> {
  const d = services[name]?.depends_on ?? [];
  return Array.isArray(d)
    ? Object.fromEntries(d.map((s) => [s, 'service_started']))
    : Object.fromEntries(Object.entries(d).map(([s, v]) => [s, v?.condition ?? 'service_started']));
}

/** Container path of a named volume or host path mounted into a service. */
function mountOf(service: string, source: string): { target: string; ro: boolean } | undefined {
  for (const v of services[service].volumes ?? []) {
    const [src, target, mode] = v.split(':');
    if (src === source) {
      return { target, ro: mode === 'ro' };
    }
  }
  return undefined;
}

const lockTsx = JSON.parse(read('package-lock.json')).packages['node_modules/tsx'].version as string;

describe('docker-compose.yaml: the demo stack', () => {
  it('uses the Compose Specification format (depends_on conditions need it)', () => {
    expect(Object.keys(compose)).not.toContain('version');
  });

  it('has the grafana, prometheus, loki, history, backfill and generator services', () => {
    expect(Object.keys(services).sort()).toEqual(['backfill', 'generator', 'grafana', 'history', 'loki', 'prometheus']);
  });

  it('starts them in order: loki -> history -> backfill -> prometheus -> grafana, history -> generator', () => {
    expect(deps('history')).toEqual({ loki: 'service_started' });
    expect(deps('backfill')).toEqual({ history: 'service_completed_successfully' });
    expect(deps('prometheus')).toEqual({ backfill: 'service_completed_successfully' });
    expect(deps('generator')).toMatchObject({ history: 'service_completed_successfully', loki: 'service_started' });
    expect(Object.keys(deps('grafana')).sort()).toEqual(['generator', 'loki', 'prometheus']);
    // A topological order exists (no cycle) and puts the init jobs first.
    const order: string[] = [];
    const visiting = new Set<string>();
    const visit = (s: string) => {
      if (order.includes(s)) {
        return;
      }
      if (visiting.has(s)) {
        throw new Error(`dependency cycle through ${s}`);
      }
      visiting.add(s);
      Object.keys(deps(s)).forEach(visit);
      order.push(s);
    };
    Object.keys(services).sort().forEach(visit);
    const at = (s: string) => order.indexOf(s);
    expect(at('history')).toBeLessThan(at('backfill'));
    expect(at('backfill')).toBeLessThan(at('prometheus'));
    expect(at('history')).toBeLessThan(at('generator'));
    expect(at('prometheus')).toBeLessThan(at('grafana'));
  });

  it('backfills into the volume Prometheus serves, with the same image, before it starts', () => {
    const prom = services.prometheus;
    expect(prom.command).toContain('--storage.tsdb.path=/prometheus');
    expect(mountOf('prometheus', 'prometheus-data')).toEqual({ target: '/prometheus', ro: false });
    expect(mountOf('backfill', 'prometheus-data')).toEqual({ target: '/prometheus', ro: false });
    expect(services.backfill.image).toBe(prom.image);
    // Prometheus' own user writes the blocks: no `user:` override on the backfill service.
    expect(services.backfill.user).toBeUndefined();
    expect(services.backfill.entrypoint).toEqual(['/bin/sh', '/demo/docker/prometheus-backfill.sh']);
    expect(mountOf('backfill', './demo/docker')).toEqual({ target: '/demo/docker', ro: true });
    expect(services.backfill.environment).toMatchObject({ HISTORY_DIR: '/history', PROMETHEUS_DATA: '/prometheus' });
    expect(mountOf('backfill', 'demo-history')?.target).toBe('/history');
    expect(mountOf('history', 'demo-history')).toEqual({ target: '/history', ro: false });
    expect(Object.keys(compose.volumes ?? {})).toEqual(
      expect.arrayContaining(['prometheus-data', 'loki-data', 'demo-history', 'demo-tools'])
    );
  });

  it('runs history and the live generator with the same fleet, seed and step, through tsx from package-lock', () => {
    const h = services.history;
    const g = services.generator;
    expect(h.environment).toEqual(g.environment);
    for (const s of [h, g]) {
      expect(s.image).toMatch(/^node:/);
      expect(mountOf(s === h ? 'history' : 'generator', './')).toEqual({ target: '/app', ro: true });
      expect(s.environment?.TSX_VERSION).toBe(lockTsx);
      expect(s.environment?.LOKI_URL).toBe('http://loki:3100');
    }
    expect(h.command).toEqual(['sh', 'demo/docker/with-tsx.sh', 'demo/docker/history.ts']);
    expect(g.command).toEqual(['sh', 'demo/docker/with-tsx.sh', 'demo/generator/live.ts']);
    expect(read('demo/docker/with-tsx.sh')).toContain(`TSX_VERSION="\${TSX_VERSION:-${lockTsx}}"`);
    expect(mountOf('generator', 'demo-history')).toEqual({ target: '/history', ro: true });
  });

  it('scrapes the generator at the step both generator services simulate', () => {
    const prom = parse(read('demo/prometheus.yml'));
    const job = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === 'model-service');
    const port = services.generator.environment?.PORT ?? '9105';
    expect(job.static_configs[0].targets).toEqual([`generator:${port}`]);
    const interval = String(job.scrape_interval ?? prom.global.scrape_interval);
    expect(interval).toBe(`${services.generator.environment?.STEP_SECONDS}s`);
  });

  itWithCompose('keeps the depends_on conditions through docker-compose config', () => {
    const r = spawnSync('docker-compose', ['-f', 'docker-compose.yaml', 'config'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const resolved = parse(r.stdout);
    expect(resolved.services.prometheus.depends_on.backfill.condition).toBe('service_completed_successfully');
    expect(resolved.services.backfill.depends_on.history.condition).toBe('service_completed_successfully');
    expect(resolved.services.generator.depends_on.history.condition).toBe('service_completed_successfully');
  });
});

describe('demo/prometheus.yml', () => {
  itWithPromtool('passes promtool check config', () => {
    const r = spawnSync('promtool', ['check', 'config', 'demo/prometheus.yml'], { cwd: root, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });
});

describe('demo/docker shell scripts', () => {
  it.each(['with-tsx.sh', 'prometheus-backfill.sh'])('%s is valid POSIX sh', (f) => {
    const r = spawnSync('sh', ['-n', path.join(root, 'demo/docker', f)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('history init job: the history ends now', () => {
  const now = Date.UTC(2026, 2, 14, 9, 26, 53, 512);

  it('ends at now aligned down to the step and starts HISTORY_DAYS earlier', () => {
    const w = historyWindow(now, 3, 15);
    expect(w.stepMs).toBe(15_000);
    expect(w.end).toBe(Date.UTC(2026, 2, 14, 9, 26, 45));
    expect(w.end).toBeLessThanOrEqual(now);
    expect(now - w.end).toBeLessThan(w.stepMs);
    expect(w.end - w.start).toBe(3 * DAY_MS);
  });

  it('keeps start and end on the step grid for steps that do not divide a day', () => {
    const w = historyWindow(now, 0.5, 7);
    expect(w.end % 7000).toBe(0);
    expect(w.start % 7000).toBe(0);
    expect(w.end - w.start).toBeGreaterThanOrEqual(0.5 * DAY_MS);
    expect(w.end - w.start).toBeLessThan(0.5 * DAY_MS + 7000);
  });

  it('plans the compose defaults (and shorter histories) without error, every event inside the window', () => {
    // Compose's own defaults: ${VAR:-default} -> default.
    const env = Object.fromEntries(
      Object.entries(services.history.environment ?? {}).map(([k, v]) => [
        k,
        String(v).replace(/^\$\{\w+:-([^}]*)\}$/, '$1'),
      ])
    );
    expect(env.HISTORY_DAYS).toBe('3');
    for (const days of ['3', '2', '1']) {
      const { window, opts } = historyOptions({ ...env, HISTORY_DAYS: days }, now);
      const truth = planGroundTruth(opts);
      expect(truth.incidents.length).toBe(Number(env.HISTORY_INCIDENTS));
      for (const x of [...truth.incidents, ...truth.benign]) {
        expect(x.start).toBeGreaterThanOrEqual(window.start);
        expect(x.end).toBeLessThanOrEqual(window.end);
      }
    }
  });

  it('rejects nonsense', () => {
    expect(() => historyWindow(now, 0, 15)).toThrow(/HISTORY_DAYS/);
    expect(() => historyWindow(now, Number.NaN, 15)).toThrow(/HISTORY_DAYS/);
    expect(() => historyWindow(now, 3, 0.5)).toThrow(/STEP_SECONDS/);
  });

  it("gives the generator that window and the live exporter's fleet, seed and step", () => {
    const env = { SEED: '7', MODELS: '2', VERSIONS: 'a,b', REGIONS: '1', STEP_SECONDS: '15', HISTORY_DAYS: '3' };
    const { window, opts } = historyOptions(env, now);
    expect(opts.start).toBe(window.start);
    expect(opts.end).toBe(window.end);
    expect(opts.stepMs).toBe(15_000);
    // live.ts maps the same variables to the same flags.
    const live = parseGeneratorArgs(
      ['--seed', '7', '--models', '2', '--versions', 'a,b', '--regions', '1', '--step', '15'],
      ''
    ).opts;
    expect({ seed: opts.seed, models: opts.models, versions: opts.versions, regions: opts.regions }).toEqual({
      seed: live.seed,
      models: live.models,
      versions: live.versions,
      regions: live.regions,
    });
  });
});

describe('history init job: Loki push', () => {
  const ns = (s: number) => `${1_700_000_000_000 + s * 1000}000000`;
  const body: LokiBody = {
    streams: [0, 1, 2].map((k) => ({
      stream: { app: 'model-service', model: `m${k}` },
      values: Array.from(
        { length: 200 },
        (_, i) => [ns(i * 3 + k), `line ${k}/${i} ${'x'.repeat(i % 7)}`] as [string, string]
      ),
    })),
  };

  it('splits into bodies under the size limit, in time order, dropping lines that are too old', () => {
    const parts = splitLokiPush(body, 2000, ns(30));
    expect(parts.length).toBeGreaterThan(5);
    for (const p of parts) {
      expect(JSON.stringify(p).length).toBeLessThanOrEqual(2000);
    }
    const times = (b: LokiBody) => b.streams.flatMap((s) => s.values.map((v) => BigInt(v[0])));
    for (let i = 1; i < parts.length; i++) {
      const prev = times(parts[i - 1]);
      const next = times(parts[i]);
      expect(prev.reduce((a, b) => (b > a ? b : a))).toBeLessThanOrEqual(next.reduce((a, b) => (b < a ? b : a)));
    }
    for (const [k, st] of body.streams.entries()) {
      const kept = parts.flatMap((p) => p.streams.filter((s) => s.stream.model === `m${k}`).flatMap((s) => s.values));
      expect(kept).toEqual(st.values.filter((v) => BigInt(v[0]) >= BigInt(ns(30))));
    }
  });

  it('waits for /ready, retries 429 and connection errors, and goes on after a 400', async () => {
    const calls: string[] = [];
    let ready = 0;
    let pushes = 0;
    const fake = (async (url: string) => {
      calls.push(url);
      if (url.endsWith('/ready')) {
        return new Response('', { status: ++ready < 3 ? 503 : 200 });
      }
      pushes++;
      if (pushes === 1) {
        return new Response('slow down', { status: 429 });
      }
      if (pushes === 2) {
        throw new Error('ECONNRESET');
      }
      if (pushes === 4) {
        return new Response('entry too far behind', { status: 400 });
      }
      return new Response(null, { status: 204 });
    }) as unknown as typeof fetch;
    const sleeps: number[] = [];
    const o = { fetch: fake, sleep: async (ms: number) => void sleeps.push(ms), bytesPerSecond: 1e12 };
    await waitForLoki('http://loki:3100', o);
    expect(ready).toBe(3);
    const parts = splitLokiPush(body, 4000);
    const accepted = await pushLoki('http://loki:3100', parts, o);
    expect(pushes).toBe(parts.length + 2);
    expect(accepted).toBe(parts.length - 1);
    expect(sleeps.length).toBeGreaterThanOrEqual(4);
  });

  it('gives up on a Loki that never gets ready', async () => {
    const fake = (async () => new Response('', { status: 503 })) as unknown as typeof fetch;
    await expect(
      waitForLoki('http://loki:3100', { fetch: fake, sleep: async () => {}, readyTimeoutMs: 0 })
    ).rejects.toThrow(/not ready/);
  });
});

describe('history init job end to end (small fleet) and the promtool backfill script', () => {
  const now = Date.now();
  let dir: string;
  const pushed: LokiBody[] = [];
  const env = {
    HISTORY_DIR: '',
    SEED: '42',
    MODELS: '1',
    VERSIONS: '1',
    REGIONS: '1',
    STEP_SECONDS: '60',
    HISTORY_DAYS: '0.25',
    HISTORY_INCIDENTS: 'none',
    HISTORY_SURGES: '0',
    HISTORY_DEPLOYS: '0',
    HISTORY_QUIET_HOURS: '1',
    LOKI_URL: 'http://loki:3100/',
    LOKI_MAX_BODY_BYTES: '4096',
  };
  const fakeLoki = (async (url: string, init?: RequestInit) => {
    if (url.endsWith('/loki/api/v1/push')) {
      pushed.push(JSON.parse(String(init?.body)));
    }
    return new Response(null, { status: url.endsWith('/ready') ? 200 : 204 });
  }) as unknown as typeof fetch;
  const o = { fetch: fakeLoki, sleep: async () => {}, log: () => {}, bytesPerSecond: 1e12 };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anomalyscore-history-'));
    env.HISTORY_DIR = path.join(dir, 'history');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes metrics.om, incidents.json, state.json and the markers; pushes every log line', async () => {
    const r = await runHistory(env, now, o);
    expect(r.generated).toBe(true);
    const w = historyWindow(now, 0.25, 60);
    expect(r.marker).toMatchObject({ start: w.start, end: w.end, stepMs: 60_000, seed: 42, entities: 1 });
    const files = fs.readdirSync(env.HISTORY_DIR).sort();
    expect(files).toEqual([
      'history.json',
      'incidents.json',
      'loki-push.json',
      'loki.json',
      'metrics.om',
      'state.json',
    ]);
    const truth = JSON.parse(fs.readFileSync(path.join(env.HISTORY_DIR, 'incidents.json'), 'utf8'));
    expect([truth.start, truth.end]).toEqual([w.start, w.end]);
    // The last OpenMetrics sample is one step before the end, i.e. within one step of now.
    const om = fs.readFileSync(path.join(env.HISTORY_DIR, 'metrics.om'), 'utf8');
    const stamps = [...om.matchAll(/^model_requests_total\{[^}]*\} \S+ (\d+)$/gm)].map((m) => Number(m[1]) * 1000);
    expect(stamps[0]).toBe(w.start);
    expect(stamps[stamps.length - 1]).toBe(w.end - 60_000);
    expect(now - stamps[stamps.length - 1]).toBeLessThan(2 * 60_000);
    // The live exporter can resume from the state after the last step.
    const state = JSON.parse(fs.readFileSync(path.join(env.HISTORY_DIR, 'state.json'), 'utf8')) as ResumeState;
    expect(state).toMatchObject({ t: w.end, stepMs: 60_000, seed: 42, slots: SLOT.size });
    const lastRequests = Number(/^model_requests_total\{[^}]*\} (\S+) \d+\n(?!model_requests_total)/m.exec(om)?.[1]);
    expect(state.state[0][SLOT.requests]).toBe(lastRequests);
    // Every log line reached "Loki", each body under the limit.
    const all = JSON.parse(fs.readFileSync(path.join(env.HISTORY_DIR, 'loki-push.json'), 'utf8')) as LokiBody;
    const lines = all.streams.reduce((a, s) => a + s.values.length, 0);
    expect(lines).toBeGreaterThan(0);
    expect(pushed.reduce((a, b) => a + b.streams.reduce((x, s) => x + s.values.length, 0), 0)).toBe(lines);
    expect(r.loki).toEqual({ accepted: pushed.length, bodies: pushed.length, lines });
    for (const b of pushed) {
      expect(JSON.stringify(b).length).toBeLessThanOrEqual(4096);
    }
  });

  it('is idempotent: a second start reuses the history and does not push again', async () => {
    const before = pushed.length;
    const r = await runHistory(env, now + 3_600_000, o);
    expect(r.generated).toBe(false);
    expect(r.loki).toBe('skipped');
    expect(r.marker.end).toBe(historyWindow(now, 0.25, 60).end);
    expect(pushed.length).toBe(before);
  });

  itWithPromtool('backfills the history into TSDB blocks ending at now, once', () => {
    const data = path.join(dir, 'prometheus');
    fs.mkdirSync(data);
    const run = () =>
      spawnSync('sh', [path.join(root, 'demo/docker/prometheus-backfill.sh')], {
        encoding: 'utf8',
        env: { ...process.env, HISTORY_DIR: env.HISTORY_DIR, PROMETHEUS_DATA: data },
      });
    const first = run();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const blocks = fs.readdirSync(data).filter((f) => /^[0-9A-Z]{26}$/.test(f));
    expect(blocks.length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(data, '.anomalyscore-backfill'))).toBe(true);
    expect(fs.existsSync(path.join(data, '.backfill-tmp'))).toBe(false);
    expect(fs.existsSync(path.join(env.HISTORY_DIR, 'metrics.om'))).toBe(false);
    // Block time ranges (promtool tsdb list: ULID, MIN TIME, MAX TIME, … in ms).
    const list = spawnSync('promtool', ['tsdb', 'list', data], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    const ranges = list.stdout
      .split('\n')
      .slice(1)
      .filter((l) => l.trim())
      .map((l) => l.trim().split(/\s+/).slice(1, 3).map(Number));
    const w = historyWindow(now, 0.25, 60);
    expect(Math.min(...ranges.map((r) => r[0]))).toBe(w.start);
    // MAX TIME is exclusive (last sample + 1 ms): the history's last sample is end - step.
    expect(Math.max(...ranges.map((r) => r[1]))).toBe(w.end - 60_000 + 1);
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/already done/);
  });
});

describe('provisioning: the "Model health triage" dashboard', () => {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD_FILE, 'utf8'));
  const spec = parse(fs.readFileSync(SPEC_FILE, 'utf8'));
  type Target = {
    refId: string;
    datasource: { uid: string; type: string };
    spec: unknown;
    format: string;
    [k: string]: unknown;
  };
  type Panel = {
    id: number;
    type: string;
    title: string;
    targets?: Target[];
    datasource?: { uid: string };
    gridPos: { x: number; w: number };
  };
  const panels = dashboard.panels as Panel[];
  const byType = (t: string) => panels.filter((p) => p.type === t);
  const fieldNames = (p: Panel) =>
    (
      (p as { transformations?: Array<{ id: string; options: { include?: { names?: string[] } } }> }).transformations ??
      []
    )
      .filter((t) => t.id === 'filterFieldsByName')
      .flatMap((t) => t.options.include?.names ?? []);

  it('is the JSON build-dashboard.ts generates from demo/spec.yaml (regenerate after changing the spec)', () => {
    expect(fs.readFileSync(DASHBOARD_FILE, 'utf8')).toBe(dashboardJson(readSpec()));
  });

  it('has its uid, title and the panel types of the demo', () => {
    expect(dashboard.uid).toBe('anomalyscore-model-health');
    expect(dashboard.title).toBe('Model health triage');
    for (const t of [PANEL_TYPE, 'status-history', 'state-timeline', 'table', 'stat', 'timeseries']) {
      expect(byType(t).length).toBeGreaterThan(0);
    }
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it('queries the Anomaly Score data source with exactly the demo spec in every target', () => {
    const checked = validateSpec(spec);
    expect(checked.errors).toEqual([]);
    const targets: Target[] = [
      ...panels.flatMap((p) => {
        expect(p.datasource).toEqual(DATASOURCE);
        expect(p.targets?.length).toBeGreaterThan(0);
        return p.targets ?? [];
      }),
      ...dashboard.annotations.list
        .filter((a: { datasource: { uid: string } }) => a.datasource.uid === DATASOURCE.uid)
        .map((a: { target: Target }) => a.target),
      ...dashboard.templating.list.map((v: { query: Target }) => v.query),
    ];
    expect(targets.length).toBeGreaterThan(panels.length);
    for (const t of targets) {
      expect(t.datasource).toEqual(DATASOURCE);
      expect(t.spec).toEqual(spec);
      expect(validateSpec(t.spec).ok).toBe(true);
      expect(['timeseries', 'triage', 'annotations']).toContain(t.format);
    }
  });

  it("shows the frames of DESIGN §4 in Grafana's own panels", () => {
    expect(byType('table')[0].targets?.[0].format).toBe('triage');
    expect(fieldNames(byType('status-history')[0])).toEqual(['Time', 'score']);
    expect(fieldNames(byType('state-timeline')[0])).toEqual(['Time', 'tier']);
    expect(byType(PANEL_TYPE)[0].targets?.[0].format).toBe('timeseries');
    expect((byType(PANEL_TYPE)[0] as unknown as { options: Record<string, unknown> }).options).toEqual(
      expect.objectContaining({ sortBy: 'current', maxEntities: expect.any(Number), layout: 'split' })
    );
    // Drift views: the hidden signal fields are un-hidden by an override.
    const drift = byType('timeseries');
    for (const id of ['prediction_drift', 'input_drift_1', 'input_drift_2']) {
      const p = drift.find((d) => fieldNames(d).includes(`signal:${id}`)) as unknown as {
        fieldConfig: {
          overrides: Array<{ matcher: { options: string }; properties: Array<{ id: string; value: unknown }> }>;
        };
      };
      expect(p).toBeDefined();
      const o = p.fieldConfig.overrides.find((x) => x.matcher.options === `signal:${id}`);
      expect(o?.properties).toContainEqual({
        id: 'custom.hideFrom',
        value: { viz: false, legend: false, tooltip: false },
      });
    }
  });

  it('has review annotations from the data source, feedback annotations and a top-entities variable', () => {
    const list = dashboard.annotations.list;
    const review = list.find((a: { datasource: { uid: string } }) => a.datasource.uid === DATASOURCE.uid);
    expect(review.target).toMatchObject({ format: 'annotations', annotationTier: 'review' });
    const feedback = list.find(
      (a: { datasource: { uid: string }; target?: { type?: string } }) =>
        a.datasource.uid === '-- Grafana --' && a.target?.type === 'tags'
    );
    expect(feedback.target.tags).toEqual(['anomalyscore']);
    const variable = dashboard.templating.list[0];
    expect(variable.datasource).toEqual(DATASOURCE);
    expect(variable.query.variable).toEqual({ limit: 10, label: 'model' });
  });
});

describe('provisioning: data sources and dashboard provider', () => {
  const { datasources } = parse(read('provisioning/datasources/datasources.yaml')) as {
    datasources: Array<{
      uid: string;
      type: string;
      url?: string;
      jsonData?: Record<string, { uid?: string; type?: string }>;
    }>;
  };
  const byUid = new Map(datasources.map((d) => [d.uid, d]));

  it('provisions the data source the dashboard uses, wired to the Prometheus and Loki uids of the stack', () => {
    const score = byUid.get(DATASOURCE.uid);
    expect(score?.type).toBe(DATASOURCE.type);
    const prom = byUid.get(score?.jsonData?.prometheus?.uid ?? '');
    const loki = byUid.get(score?.jsonData?.loki?.uid ?? '');
    expect(prom?.type).toBe('prometheus');
    expect(loki?.type).toBe('loki');
    // …which point at the compose services.
    expect(prom?.url).toBe('http://prometheus:9090');
    expect(loki?.url).toBe('http://loki:3100');
    expect(services.prometheus).toBeDefined();
    expect(services.loki).toBeDefined();
  });

  it("resolves every signal of the dashboard's spec to a provisioned upstream", () => {
    const score = byUid.get(DATASOURCE.uid)!;
    const spec = readSpec() as unknown as {
      signals: Array<{ id: string; source?: { datasource?: { uid?: string; type?: string } } }>;
    };
    for (const s of spec.signals) {
      const ref = s.source?.datasource ?? {};
      const uid = ref.uid ?? score.jsonData?.[ref.type === 'loki' ? 'loki' : 'prometheus']?.uid;
      expect({ signal: s.id, found: byUid.has(uid ?? '') }).toEqual({ signal: s.id, found: true });
    }
  });

  it('loads the dashboards folder that Grafana mounts, and opens the triage dashboard as home', () => {
    const { providers } = parse(read('provisioning/dashboards/dashboards.yaml'));
    const mount = mountOf('grafana', './provisioning');
    expect(mount?.target).toBe('/etc/grafana/provisioning');
    expect(providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: `${mount!.target}/dashboards` }),
      }),
    ]);
    expect(services.grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${mount!.target}/dashboards/${path.basename(DASHBOARD_FILE)}`
    );
  });
});
