/**
 * Live mode of the demo generator for the Docker stack: serves `/metrics` (Prometheus text
 * format) from the same telemetry model as the backfill, advancing in real time, and pushes the
 * matching error logs to Loki when LOKI_URL is set.
 *
 *   npx tsx demo/generator/live.ts            (the compose service runs this in a node:22 image)
 *
 * Environment (all optional):
 *   PORT=9105 HOST=0.0.0.0        where /metrics, /incidents and /-/healthy are served
 *   SEED=42                       PRNG seed
 *   MODELS=3 VERSIONS=2 REGIONS=2 counts or comma lists, as the CLI flags
 *   STEP_SECONDS=15               simulation step (match the Prometheus scrape interval)
 *   HORIZON_HOURS=24              the incident schedule is planned one horizon at a time
 *   INCIDENTS=6 SURGES=2 DEPLOYS=2  per horizon (INCIDENTS takes the CLI --incidents syntax)
 *   QUIET_MINUTES=30              no event in the first minutes after start
 *   LOKI_URL=http://loki:3100     push error logs to LOKI_URL/loki/api/v1/push every step
 */
import * as http from 'node:http';

import { EXPOSITION_CONTENT_TYPE, renderExposition } from './exposition';
import { Simulation } from './model';
import { logStreamLabels, nsString } from './openmetrics';
import { parseGeneratorArgs } from './options';
import { alignDown, planGroundTruth } from './schedule';
import { Entity, entityKey, GroundTruth, HOUR_MS, MINUTE_MS } from './types';
import * as fs from 'node:fs';

const env = process.env;

function optionsFromEnv() {
  const args: string[] = [];
  const map: Array<[string, string]> = [
    ['SEED', 'seed'],
    ['MODELS', 'models'],
    ['VERSIONS', 'versions'],
    ['REGIONS', 'regions'],
  ];
  for (const [k, flag] of map) {
    if (env[k]) {
      args.push(`--${flag}`, env[k]!);
    }
  }
  args.push('--step', env.STEP_SECONDS ?? '15');
  args.push('--incidents', env.INCIDENTS ?? '6', '--surges', env.SURGES ?? '2', '--deploys', env.DEPLOYS ?? '2');
  return parseGeneratorArgs(args, '').opts;
}

const MAX_PENDING_LINES = 50_000;

function main(): void {
  const base = optionsFromEnv();
  const horizon = Number(env.HORIZON_HOURS ?? 24) * HOUR_MS;
  const quiet = Number(env.QUIET_MINUTES ?? 30) * MINUTE_MS;
  const start = alignDown(Date.now(), base.stepMs);

  // Each horizon gets its own plan (seed + horizon index), appended to the ground truth so far.
  let horizonIndex = 0;
  const planHorizon = (from: number, quietMs: number): GroundTruth => {
    const o = { ...base, seed: base.seed + horizonIndex, start: from, end: from + horizon, quietMs };
    // Few entities or a short horizon may not fit the requested events: halve them until they do.
    for (let scale = 1; ; scale /= 2) {
      const scaled = {
        ...o,
        incidents: Object.fromEntries(
          Object.entries(o.incidents).map(([k, n]) => [k, Math.floor(n * scale)])
        ) as typeof o.incidents,
        surges: Math.floor(o.surges * scale),
        deploys: Math.floor(o.deploys * scale),
      };
      try {
        return planGroundTruth(scaled);
      } catch (e) {
        if (scale < 1 / 64) {
          throw e;
        }
      }
    }
  };
  let truth = planHorizon(start, quiet);
  const sim = new Simulation({ ...base, start, end: start + horizon }, truth);
  resumeFrom(env.RESUME_STATE, sim, base.seed, base.stepMs);

  const pending = new Map<number, Array<[string, string]>>();
  sim.onLog = (ei, tMs, offNs, line) => {
    const list = pending.get(ei) ?? [];
    list.push([nsString(tMs, offNs), line]);
    pending.set(ei, list);
  };

  const advance = () => {
    // Catch up to wall-clock time (also after the event loop was blocked for a while).
    while (sim.t + base.stepMs <= Date.now()) {
      if (sim.t >= truth.end) {
        horizonIndex++;
        const next = planHorizon(truth.end, HOUR_MS);
        truth = {
          ...truth,
          end: next.end,
          incidents: [...truth.incidents, ...next.incidents.map((x) => ({ ...x, id: `h${horizonIndex}-${x.id}` }))],
          benign: [...truth.benign, ...next.benign.map((x) => ({ ...x, id: `h${horizonIndex}-${x.id}` }))],
        };
        sim.setTruth(truth);
      }
      sim.step();
    }
  };
  advance();
  sim.step(); // expose the first step right away

  const lokiUrl = env.LOKI_URL ? env.LOKI_URL.replace(/\/+$/, '') + '/loki/api/v1/push' : '';
  let pushing = false;
  const pushLogs = async () => {
    if (!lokiUrl || pushing || pending.size === 0) {
      return;
    }
    pushing = true;
    const batch = new Map(pending);
    pending.clear();
    const body = {
      streams: [...batch].map(([ei, values]) => ({ stream: logStreamLabels(sim.entities[ei]), values })),
    };
    try {
      const res = await fetch(lokiUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) {
        throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      }
    } catch (e) {
      // Loki may start after us: keep the lines (bounded) and retry on the next step.
      process.stderr.write(`loki push failed (${(e as Error).message}); will retry\n`);
      for (const [ei, values] of batch) {
        const merged = [...values, ...(pending.get(ei) ?? [])];
        pending.set(ei, merged.slice(-MAX_PENDING_LINES));
      }
    } finally {
      pushing = false;
    }
  };

  const timer = setInterval(
    () => {
      advance();
      void pushLogs();
    },
    Math.min(1000, base.stepMs)
  );

  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/metrics') {
      advance();
      res.writeHead(200, { 'Content-Type': EXPOSITION_CONTENT_TYPE });
      res.end(renderExposition(sim));
    } else if (url === '/incidents') {
      // Ground truth so far (events that have started), same format as incidents.json.
      const now = sim.t;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          ...truth,
          end: now,
          incidents: truth.incidents.filter((x) => x.start < now),
          benign: truth.benign.filter((x) => x.start < now),
        })
      );
    } else if (url === '/-/healthy' || url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('demo model-service generator: /metrics /incidents\n');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  const port = Number(env.PORT ?? 9105);
  const host = env.HOST ?? '0.0.0.0';
  server.listen(port, host, () => {
    process.stdout.write(
      `demo generator: ${sim.entities.length} entities, step ${base.stepMs / 1000}s, seed ${base.seed}; ` +
        `http://${host}:${port}/metrics${lokiUrl ? `; pushing logs to ${lokiUrl}` : ''}\n`
    );
  });
  const stop = () => {
    clearInterval(timer);
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();

/**
 * Continue the counters of a backfilled history (demo/docker/history.ts writes its final state), so
 * live series do not restart at 0 where the history ends. A state file for another seed, step or
 * fleet is ignored with a warning (Prometheus' rate/increase would then see one counter reset).
 */
function resumeFrom(file: string | undefined, sim: Simulation, seed: number, stepMs: number): void {
  if (!file || !fs.existsSync(file)) {
    return;
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    seed: number;
    stepMs: number;
    t: number;
    slots: number;
    entities: Entity[];
    state: number[][];
  };
  const fits =
    r.seed === seed &&
    r.stepMs === stepMs &&
    r.t <= sim.t &&
    r.slots === sim.state[0]?.length &&
    r.entities.length === sim.entities.length &&
    r.entities.every((e, i) => entityKey(e) === entityKey(sim.entities[i]));
  if (fits) {
    r.state.forEach((s, i) => sim.state[i].set(s));
    process.stdout.write(`demo generator: resuming from ${file}\n`);
  } else {
    process.stderr.write(`demo generator: ${file} is for another seed, step or fleet; counters start at 0\n`);
  }
}
