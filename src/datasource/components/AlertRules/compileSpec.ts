/**
 * The rule compiler as the query editor uses it: the spec as the pipeline runs it (tiers and context
 * from the data source's settings) compiled into each downloadable format and into the body of
 * `POST /api/v1/provisioning/alert-rules` for one tier.
 */
import {
  compileRules,
  grafanaApiRules,
  grafanaProvisioning,
  lokiRulesYaml,
  prometheusRulesYaml,
  yaml,
  type CompileResult,
  type CompiledRules,
  type GrafanaApiRule,
  type GrafanaOptions,
} from '../../../scoring/rules';
import type { ScoreSpecInput } from '../../../scoring/spec';
import type { Tier } from '../../../scoring/types';

export type AlertTier = Exclude<Tier, 'ok'>;
export const ALERT_TIERS: AlertTier[] = ['watch', 'review', 'critical'];

export const ALERT_RULES_API = '/api/v1/provisioning/alert-rules';
/** Rules created with this header stay editable in Grafana's alerting UI. */
export const ALERT_RULES_HEADERS = { 'X-Disable-Provenance': 'true' };

export type RuleFormat = 'prometheus' | 'loki' | 'grafana' | 'grafana-api';

export interface RuleFile {
  format: RuleFormat;
  label: string;
  description: string;
  fileName: string;
  mimeType: string;
  /** Undefined when there is nothing to write (e.g. Loki rules without log signals). */
  text?: string;
  /** Why there is no text. */
  unavailable?: string;
}

export function compileSpec(spec: ScoreSpecInput): CompileResult {
  return compileRules(spec);
}

/** File names are `<spec id>.<format>…`, the id reduced to characters safe in a file name. */
export function fileStem(specId: string): string {
  return specId.replace(/[^A-Za-z0-9._-]+/g, '-') || 'anomaly-score';
}

/** Grafana options with the CLI's defaults (a Prometheus uid is needed for the Grafana formats). */
export function grafanaOptions(opts: Partial<GrafanaOptions>): GrafanaOptions {
  return { ...opts, prometheusUid: opts.prometheusUid?.trim() || 'prometheus' };
}

function safely(f: () => string): { text?: string; unavailable?: string } {
  try {
    return { text: f() };
  } catch (e) {
    return { unavailable: e instanceof Error ? e.message : String(e) };
  }
}

/** Every format the CLI (`npm run rules`) prints, with the same text. */
export function ruleFiles(c: CompiledRules, opts: Partial<GrafanaOptions>): RuleFile[] {
  const stem = fileStem(c.specId);
  const g = grafanaOptions(opts);
  return [
    {
      format: 'prometheus',
      label: 'Prometheus / Mimir rules (YAML)',
      description: 'Recording and alerting rules: Prometheus rule_files, mimirtool rules load, Thanos',
      fileName: `${stem}.prometheus.rules.yaml`,
      mimeType: 'application/yaml',
      text: prometheusRulesYaml(c),
    },
    {
      format: 'loki',
      label: 'Loki ruler rules (YAML)',
      description:
        c.logSignals.length > 0
          ? `Records the inputs of ${c.logSignals.join(', ')} for the Loki ruler`
          : 'No log signals in this spec',
      fileName: `${stem}.loki.rules.yaml`,
      mimeType: 'application/yaml',
      ...(c.logSignals.length > 0 ? { text: lokiRulesYaml(c) } : { unavailable: 'No log signals in this spec' }),
    },
    {
      format: 'grafana',
      label: 'Grafana alerting provisioning (YAML)',
      description: 'For provisioning/alerting/: one Grafana-managed rule per tier',
      fileName: `${stem}.grafana-alerting.yaml`,
      mimeType: 'application/yaml',
      ...safely(() => yaml(grafanaProvisioning(c, g))),
    },
    {
      format: 'grafana-api',
      label: 'Grafana alert rules API (JSON)',
      description: `An array of bodies for POST ${ALERT_RULES_API}`,
      fileName: `${stem}.alert-rules.json`,
      mimeType: 'application/json',
      ...safely(() => JSON.stringify(grafanaApiRules(c, g), null, 2) + '\n'),
    },
  ];
}

/** The body of POST /api/v1/provisioning/alert-rules for one tier. */
export function alertRuleBody(
  c: CompiledRules,
  tier: AlertTier,
  opts: { prometheusUid: string; folderUid: string }
): GrafanaApiRule {
  const rule = grafanaApiRules(c, opts).find((r) => r.labels.tier === tier);
  if (!rule) {
    throw new Error(`no ${tier} rule`);
  }
  return rule;
}

/** Grafana's error message from a failed backend request (FetchError) or any thrown value. */
export function errorMessage(e: unknown): string {
  if (e && typeof e === 'object') {
    const err = e as {
      data?: { message?: unknown; error?: unknown };
      message?: unknown;
      statusText?: unknown;
      status?: unknown;
    };
    const text = [err.data?.message, err.data?.error, err.message, err.statusText].find(
      (x): x is string => typeof x === 'string' && x.trim() !== ''
    );
    if (text) {
      return typeof err.status === 'number' ? `${text} (HTTP ${err.status})` : text;
    }
    if (typeof err.status === 'number') {
      return `HTTP ${err.status}`;
    }
  }
  return typeof e === 'string' && e ? e : 'The request failed';
}
