/**
 * `npm run rules -- --spec FILE --format prometheus|loki|grafana|grafana-api [options]`
 *
 * Prints the rules compiled from a ScoreSpec (YAML or JSON):
 *   prometheus   recording + alerting rules (Prometheus rulefmt; Mimir, Cortex, Thanos rulers)
 *   loki         Loki ruler rules recording the log signals' inputs
 *   grafana      Grafana alert-rule file provisioning YAML
 *   grafana-api  JSON array of bodies for POST /api/v1/provisioning/alert-rules (one per tier)
 * Options:
 *   --prometheus-uid UID   Prometheus data source uid for the Grafana formats (default "prometheus")
 *   --folder TITLE         Grafana folder (provisioning) / its uid is derived for the API (default "Anomaly Score")
 *   --folder-uid UID       Grafana folder uid for grafana-api
 *   --org-id N             Grafana org (default 1)
 *   --step D               evaluation interval (default: the spec's step, else 1m)
 *   --buckets ID=LE,...    le bounds of a histogram_drift / calibration signal (repeatable), e.g.
 *                          --buckets score_drift=0.1,0.2,0.3,+Inf
 *   --keep-firing-for D    add keep_firing_for to the tier alerts
 * Signals that cannot be compiled are listed in the output (YAML comments / "unsupported") and on
 * stderr; exit status 2 on a bad spec or bad options.
 */
import * as fs from 'node:fs';

import { parseSpec, formatSpecErrors } from '../src/scoring/spec';
import {
  compileRules,
  grafanaApiRules,
  grafanaProvisioning,
  lokiRulesYaml,
  prometheusRulesYaml,
  yaml,
  type CompileOptions,
} from '../src/scoring/rules';

const FORMATS = ['prometheus', 'loki', 'grafana', 'grafana-api'] as const;
type Format = (typeof FORMATS)[number];

export interface RulesArgs {
  spec: string;
  format: Format;
  prometheusUid: string;
  folder?: string;
  folderUid?: string;
  orgId?: number;
  compile: CompileOptions;
}

export function parseArgs(argv: string[]): RulesArgs {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) {
      throw new Error(`unexpected argument "${argv[i]}"`);
    }
    const v = m[2] ?? argv[++i];
    if (v === undefined) {
      throw new Error(`--${m[1]} needs a value`);
    }
    flags.set(m[1], [...(flags.get(m[1]) ?? []), v]);
  }
  const known = [
    'spec',
    'format',
    'prometheus-uid',
    'folder',
    'folder-uid',
    'org-id',
    'step',
    'buckets',
    'keep-firing-for',
  ];
  for (const k of flags.keys()) {
    if (!known.includes(k)) {
      throw new Error(`unknown option --${k} (known: ${known.map((x) => `--${x}`).join(', ')})`);
    }
  }
  const one = (k: string) => flags.get(k)?.[flags.get(k)!.length - 1];
  const spec = one('spec');
  if (!spec) {
    throw new Error('--spec FILE is required');
  }
  const format = (one('format') ?? 'prometheus') as Format;
  if (!FORMATS.includes(format)) {
    throw new Error(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  }
  const buckets: Record<string, string[]> = {};
  for (const b of flags.get('buckets') ?? []) {
    const m = /^([a-z][a-z0-9_]*)=(.+)$/.exec(b);
    if (!m) {
      throw new Error(`--buckets: expected ID=LE,LE,... got "${b}"`);
    }
    buckets[m[1]] = m[2].split(',').map((x) => x.trim());
  }
  const orgText = one('org-id');
  const orgId = orgText === undefined ? undefined : Number(orgText);
  if (orgId !== undefined && !(Number.isInteger(orgId) && orgId > 0)) {
    throw new Error(`--org-id must be a positive integer, got "${orgText}"`);
  }
  return {
    spec,
    format,
    prometheusUid: one('prometheus-uid') ?? 'prometheus',
    folder: one('folder'),
    folderUid: one('folder-uid'),
    orgId,
    compile: {
      ...(one('step') ? { step: one('step') } : {}),
      ...(Object.keys(buckets).length ? { buckets } : {}),
      ...(one('keep-firing-for') ? { keepFiringFor: one('keep-firing-for') } : {}),
    },
  };
}

/** The text to print for these arguments, or throws with a message for stderr. */
export function run(args: RulesArgs, specText: string): { stdout: string; stderr: string } {
  const parsed = parseSpec(specText);
  if (!parsed.ok || !parsed.spec) {
    throw new Error(`invalid spec ${args.spec}:\n${formatSpecErrors(parsed.errors)}`);
  }
  const result = compileRules(parsed.spec, args.compile);
  if (!result.ok || !result.rules) {
    throw new Error(`cannot compile ${args.spec}:\n${result.errors.join('\n')}`);
  }
  const c = result.rules;
  const grafanaOpts = {
    prometheusUid: args.prometheusUid,
    ...(args.folder ? { folder: args.folder } : {}),
    ...(args.folderUid ? { folderUid: args.folderUid } : {}),
    ...(args.orgId ? { orgId: args.orgId } : {}),
  };
  let stdout: string;
  switch (args.format) {
    case 'prometheus':
      stdout = prometheusRulesYaml(c);
      break;
    case 'loki':
      stdout = lokiRulesYaml(c);
      break;
    case 'grafana':
      stdout = yaml(grafanaProvisioning(c, grafanaOpts));
      break;
    case 'grafana-api':
      // One body per tier: POST each element to /api/v1/provisioning/alert-rules.
      stdout = JSON.stringify(grafanaApiRules(c, grafanaOpts), null, 2) + '\n';
      break;
  }
  const stderr = [
    ...c.unsupported.map((u) => `not compiled: signal ${u.signal} (${u.kind}): ${u.reason}`),
    ...c.unsupportedContext.map((u) => `not compiled: context rule ${u.rule}: ${u.reason}`),
  ]
    .map((l) => l + '\n')
    .join('');
  return { stdout, stderr };
}

function main(): void {
  try {
    const args = parseArgs(process.argv.slice(2));
    const out = run(args, fs.readFileSync(args.spec, 'utf8'));
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
  } catch (e) {
    process.stderr.write(`rules: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}

if (require.main === module) {
  main();
}
