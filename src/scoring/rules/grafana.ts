/**
 * Grafana-managed alert rules over the recorded score, through the ordinary Prometheus data
 * source (a frontend-only data source cannot be evaluated by Grafana's alerting server):
 * - file provisioning (`apiVersion: 1`, `groups: [...]`, provisioning/alerting/*.yaml);
 * - bodies for `POST /api/v1/provisioning/alert-rules` (one rule per request).
 *
 * One rule per tier: query A is the (context-adjusted) score, B a threshold expression on A that
 * fires at the tier's cut and, with a recovery threshold (Grafana >= 10.4), recovers only below
 * cut − hysteresis: the engine's hysteresis. `for` is the tier's minimum duration.
 */
import { tierConfigOf } from '../spec';
import type { Tier } from '../types';
import type { CompiledRules } from './compile';
import { SERIES } from './compile';
import { num, quote, selector } from './promql';

export interface GrafanaOptions {
  /** Uid of the Prometheus (or Mimir) data source that holds the recorded series. */
  prometheusUid: string;
  /** Folder title (file provisioning) — default "Anomaly Score". */
  folder?: string;
  /** Folder uid (HTTP API) — default derived from the folder title. */
  folderUid?: string;
  orgId?: number;
  /** Rule group name — default `anomaly-score-<spec>`. */
  group?: string;
}

export interface GrafanaQuery {
  refId: string;
  queryType: string;
  relativeTimeRange: { from: number; to: number };
  datasourceUid: string;
  model: Record<string, unknown>;
}

export interface GrafanaRule {
  uid: string;
  title: string;
  condition: string;
  data: GrafanaQuery[];
  noDataState: 'OK' | 'NoData' | 'Alerting';
  execErrState: 'OK' | 'Error' | 'Alerting';
  for: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  isPaused: boolean;
}

export interface GrafanaProvisioning {
  apiVersion: 1;
  groups: Array<{ orgId: number; name: string; folder: string; interval: string; rules: GrafanaRule[] }>;
}

export interface GrafanaApiRule extends GrafanaRule {
  folderUID: string;
  ruleGroup: string;
  orgID: number;
}

const TIERS: ReadonlyArray<Exclude<Tier, 'ok'>> = ['watch', 'review', 'critical'];

/** Grafana uids: [a-zA-Z0-9_-], at most 40 characters. */
export function grafanaUid(text: string): string {
  const clean = text.replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  if (clean.length <= 40) {
    return clean || 'anomaly-score';
  }
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  }
  return `${clean.slice(0, 31)}-${h.toString(16).padStart(8, '0')}`;
}

function durationText(ms: number): string {
  if (ms <= 0) {
    return '0s';
  }
  return ms % 60000 === 0 ? `${ms / 60000}m` : `${Math.ceil(ms / 1000)}s`;
}

/** The score used for tier k: suppressed entities read 0, floored entities at least the cut. */
function effectiveScore(c: CompiledRules, k: number, cut: number): string {
  const specM = `spec=${quote(c.specId)}`;
  const on = `on (spec${c.entity.map((e) => `, ${e}`).join('')})`;
  const score = selector(SERIES.score, [specM]);
  const hasFloor = c.spec.context.some((r) => r.floor !== undefined && r.floor !== 'ok');
  const hasSuppress = c.spec.context.some((r) => (r.suppress ?? []).length > 0);
  let expr = score;
  if (hasFloor) {
    const tier = selector(SERIES.tier, [specM]);
    expr = `max by (spec${c.entity.map((e) => `, ${e}`).join('')}) (${score} or label_replace(0 * ${score} + ${num(cut)} and ${on} (${tier} >= ${k}), "floor", "1", "", ""))`;
  }
  if (hasSuppress) {
    const supp = selector(SERIES.suppressed, [specM]);
    expr = `(${expr} unless ${on} ${supp}) or ${on} 0 * ${score}`;
  }
  return expr;
}

function rulesFor(c: CompiledRules, opts: GrafanaOptions): GrafanaRule[] {
  const spec = c.spec;
  const h = spec.tiers.hysteresis;
  const stepMs = c.stepMs;
  const entityText = c.entity.length ? c.entity.map((e) => `${e}={{ $labels.${e} }}`).join(', ') : spec.id;
  return TIERS.map((t, i) => {
    const k = i + 1;
    const cut = spec.tiers.cuts[t];
    const entry = spec.tiers.playbook[t];
    const condition: Record<string, unknown> = { evaluator: { type: 'gt', params: [cut - 1e-9] } };
    if (h > 0) {
      // Recovery threshold: the alert recovers only once the score drops below cut − h.
      condition.unloadEvaluator = { type: 'lt', params: [cut - h] };
    }
    const minMs = tierConfigOf(spec).minDurationMs[t];
    const annotations: Record<string, string> = {
      summary: `Anomaly score {{ printf "%.1f" $values.A.Value }} (${t}) for ${entityText}`,
      description:
        `Spec ${spec.id}: the anomaly score is at or above the ${t} cut (${cut})` +
        (h > 0 ? ` and recovers below ${cut - h}` : '') +
        `. Compiled signals: ${c.compiled.join(', ')}` +
        (c.unsupported.length ? `; not compiled: ${c.unsupported.map((u) => u.signal).join(', ')}` : '') +
        `. Per-signal contributions: anomaly:contribution{spec="${spec.id}"} for this entity.`,
      recommended_action: entry.action,
    };
    if (entry.runbook) {
      annotations.runbook_url = entry.runbook;
    }
    if (entry.owner) {
      annotations.owner = entry.owner;
    }
    if (entry.escalation) {
      annotations.escalation = entry.escalation;
    }
    return {
      uid: grafanaUid(`anomaly-${spec.id}-${t}`),
      title: `Anomaly score ${t}: ${spec.title ?? spec.id}`,
      condition: 'B',
      data: [
        {
          refId: 'A',
          queryType: '',
          relativeTimeRange: { from: Math.max(600, Math.ceil((5 * stepMs) / 1000)), to: 0 },
          datasourceUid: opts.prometheusUid,
          model: {
            refId: 'A',
            expr: effectiveScore(c, k, cut),
            instant: true,
            range: false,
            editorMode: 'code',
            legendFormat: '',
            intervalMs: stepMs,
            maxDataPoints: 43200,
            datasource: { type: 'prometheus', uid: opts.prometheusUid },
          },
        },
        {
          refId: 'B',
          queryType: '',
          relativeTimeRange: { from: 0, to: 0 },
          datasourceUid: '__expr__',
          model: {
            refId: 'B',
            type: 'threshold',
            expression: 'A',
            conditions: [condition],
            datasource: { type: '__expr__', uid: '__expr__' },
          },
        },
      ],
      noDataState: 'OK',
      execErrState: 'Error',
      for: durationText(minMs),
      annotations,
      labels: { severity: t, tier: t, spec: spec.id },
      isPaused: false,
    };
  });
}

/** File provisioning (provisioning/alerting/anomaly-score.yaml). */
export function grafanaProvisioning(c: CompiledRules, opts: GrafanaOptions): GrafanaProvisioning {
  checkOptions(opts);
  return {
    apiVersion: 1,
    groups: [
      {
        orgId: opts.orgId ?? 1,
        name: opts.group ?? `anomaly-score-${c.specId}`,
        folder: opts.folder ?? 'Anomaly Score',
        interval: c.interval,
        rules: rulesFor(c, opts),
      },
    ],
  };
}

/** Bodies for POST /api/v1/provisioning/alert-rules, one per tier. */
export function grafanaApiRules(c: CompiledRules, opts: GrafanaOptions): GrafanaApiRule[] {
  checkOptions(opts);
  const folderUID = opts.folderUid ?? grafanaUid(opts.folder ?? 'anomaly-score');
  return rulesFor(c, opts).map((r) => ({
    ...r,
    folderUID,
    ruleGroup: opts.group ?? `anomaly-score-${c.specId}`,
    orgID: opts.orgId ?? 1,
  }));
}

function checkOptions(opts: GrafanaOptions): void {
  if (!opts || typeof opts.prometheusUid !== 'string' || opts.prometheusUid.trim() === '') {
    throw new Error('prometheusUid: the uid of the Prometheus data source that holds the recorded score is required');
  }
  if (opts.folderUid !== undefined && !/^[a-zA-Z0-9_-]{1,40}$/.test(opts.folderUid)) {
    throw new Error(`folderUid: must be 1-40 characters of [a-zA-Z0-9_-], got ${JSON.stringify(opts.folderUid)}`);
  }
}
