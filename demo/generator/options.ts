/** Command-line (and environment) options of the generator, shared by cli.ts and live.ts. */
import {
  DAY_MS,
  DEFAULT_MODELS,
  DEFAULT_REGIONS,
  DEFAULT_VERSIONS,
  GeneratorOptions,
  HOUR_MS,
  INCIDENT_KINDS,
  IncidentKind,
  defaultIncidentMix,
  defaultOptions,
} from './types';

export const USAGE = `usage: tsx demo/generator/cli.ts [options]
  --seed N            PRNG seed (default 42); same seed + options = same files
  --days D            length of the data in days (default 7)
  --start ISO         first sample time (default 2025-01-06T00:00:00Z, a Monday)
  --step S            scrape step in seconds (default 60)
  --out DIR           output directory (default demo/out)
  --models N|a,b      number of models or their names (default 3: fraud,churn,ranker)
  --versions N|a,b    versions per model (default 2: v1,v2)
  --regions N|a,b     regions (default 2: eu,us)
  --incidents SPEC    total count spread over all kinds (e.g. 18), or kind=n,… (e.g.
                      error_burst=2,latency_spike=1), or none; default 3 of each kind
                      kinds: ${INCIDENT_KINDS.join(', ')}
  --surges N          benign traffic surges (default: one per 3 entities)
  --deploys N         benign deploys (default: one per 3 entities)
  --quiet-hours H     no event starts in the first H hours (default 24)
  --no-logs           skip loki-push.json`;

function names(value: string, defaults: string[], prefix: string): string[] {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n < 1) {
      throw new Error(`need at least one ${prefix}`);
    }
    return Array.from({ length: n }, (_, i) => defaults[i] ?? `${prefix}${i + 1}`);
  }
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new Error(`empty ${prefix} list`);
  }
  return list;
}

export function parseIncidentMix(spec: string): Record<IncidentKind, number> {
  const mix = {} as Record<IncidentKind, number>;
  INCIDENT_KINDS.forEach((k) => (mix[k] = 0));
  if (spec === 'none' || spec === '0') {
    return mix;
  }
  if (spec === 'default') {
    return defaultIncidentMix();
  }
  if (/^\d+$/.test(spec)) {
    const total = Number(spec);
    INCIDENT_KINDS.forEach(
      (k, i) => (mix[k] = Math.floor(total / INCIDENT_KINDS.length) + (i < total % INCIDENT_KINDS.length ? 1 : 0))
    );
    return mix;
  }
  for (const part of spec.split(',')) {
    const m = /^\s*([a-z_]+)\s*[=:]\s*(\d+)\s*$/.exec(part);
    if (!m || !(INCIDENT_KINDS as readonly string[]).includes(m[1])) {
      throw new Error(
        `--incidents: cannot read "${part}" (expected kind=n with kind one of ${INCIDENT_KINDS.join(', ')})`
      );
    }
    mix[m[1] as IncidentKind] = Number(m[2]);
  }
  return mix;
}

export interface ParsedArgs {
  opts: GeneratorOptions;
  out: string;
  logs: boolean;
}

/** Parses `--flag value` pairs; unknown flags are errors so typos do not silently use defaults. */
export function parseGeneratorArgs(argv: string[], defaultOut: string): ParsedArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    }
    if (a === '--no-logs') {
      flags.set('no-logs', '1');
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      throw new Error(`unexpected argument "${a}"\n${USAGE}`);
    }
    const v = m[2] ?? argv[++i];
    if (v === undefined) {
      throw new Error(`--${m[1]} needs a value`);
    }
    flags.set(m[1], v);
  }
  const known = [
    'seed',
    'days',
    'start',
    'step',
    'out',
    'models',
    'versions',
    'regions',
    'incidents',
    'surges',
    'deploys',
    'quiet-hours',
    'no-logs',
  ];
  for (const k of flags.keys()) {
    if (!known.includes(k)) {
      throw new Error(`unknown option --${k}\n${USAGE}`);
    }
  }
  const num = (k: string, def: number): number => {
    const v = flags.get(k);
    if (v === undefined) {
      return def;
    }
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      throw new Error(`--${k}: expected a non-negative number, got "${v}"`);
    }
    return n;
  };
  const base = defaultOptions();
  let start = base.start;
  if (flags.has('start')) {
    start = Date.parse(flags.get('start')!);
    if (!Number.isFinite(start)) {
      throw new Error(`--start: cannot parse "${flags.get('start')}" as a date`);
    }
  }
  const days = num('days', 7);
  const models = names(flags.get('models') ?? '3', DEFAULT_MODELS, 'model');
  const versions = names(flags.get('versions') ?? '2', DEFAULT_VERSIONS, 'v');
  const regions = names(flags.get('regions') ?? '2', DEFAULT_REGIONS, 'region');
  const perThree = Math.max(1, Math.round((models.length * versions.length * regions.length) / 3));
  const opts = defaultOptions({
    seed: Math.floor(num('seed', 42)),
    start,
    end: start + days * DAY_MS,
    stepMs: Math.round(num('step', 60) * 1000),
    models,
    versions,
    regions,
    incidents: parseIncidentMix(flags.get('incidents') ?? 'default'),
    surges: Math.floor(num('surges', perThree)),
    deploys: Math.floor(num('deploys', perThree)),
    quietMs: num('quiet-hours', 24) * HOUR_MS,
  });
  if (opts.stepMs < 1000) {
    throw new Error('--step must be at least 1 second');
  }
  return { opts, out: flags.get('out') ?? defaultOut, logs: !flags.has('no-logs') };
}
