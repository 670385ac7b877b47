/**
 * The frame contract (DESIGN §4), in one place: the data source writes frames with these builders,
 * the panel reads them with the same field names and meta type, and Grafana's own panels show them
 * through the field config set here. Depends on @grafana/data and scoring only, never on the data
 * source or the panel, so both sides can import it.
 */
import {
  DataFrame,
  DataFrameType,
  FieldColorModeId,
  FieldConfig,
  FieldType,
  MappingType,
  ThresholdsMode,
  ValueMapping,
  type Field,
} from '@grafana/data';
import { rankEntities, type EntityScore } from '../scoring/engine';
import { playbookFor, tierName, type TierCuts } from '../scoring/tiers';
import type { ScoreSpec } from '../scoring/spec';
import type { ContextPlan } from '../scoring/context';
import { TIERS, type Tier } from '../scoring/types';

/** Grafana's named palette colours for the tiers (work in dark and light themes). */
export const TIER_COLORS: Record<Tier, string> = {
  ok: 'green',
  watch: 'yellow',
  review: 'orange',
  critical: 'red',
};

/** Per-signal metadata carried in `meta.custom` (frame contract, DESIGN §4). */
export interface SignalMeta {
  id: string;
  name?: string;
  kind: string;
  weight: number;
  state: 'ok' | 'warming_up' | 'missing' | 'error';
  message?: string;
}

export interface ScoreFrameMeta {
  /** The effective spec (query + data source defaults) the frame was scored with. */
  spec: ScoreSpec;
  /** The context rules matched by this entity, resolved (see scoring/context effectsAt). */
  context: ContextPlan;
  specId: string;
  specVersion: number | string;
  entity: Record<string, string>;
  entityKey: string;
  signals: SignalMeta[];
  tierCuts: TierCuts;
  /** Current point: the score interval and the recommended action. */
  current?: { score: number; lower: number; upper: number; tier: Tier; action: string; runbook?: string };
  /** Problems that did not stop scoring (bad inputs, upstream trouble for this entity). */
  warnings: string[];
}

export function tierValueMappings(): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  TIERS.forEach((t, index) => {
    options[t] = { text: t, color: TIER_COLORS[t], index };
  });
  return [{ type: MappingType.ValueToText, options }];
}

export function scoreFieldConfig(cuts: TierCuts, displayName = 'score'): FieldConfig {
  return {
    min: 0,
    max: 100,
    decimals: 1,
    displayName,
    color: { mode: FieldColorModeId.Thresholds },
    thresholds: {
      mode: ThresholdsMode.Absolute,
      steps: [
        { value: -Infinity, color: TIER_COLORS.ok },
        { value: cuts.watch, color: TIER_COLORS.watch },
        { value: cuts.review, color: TIER_COLORS.review },
        { value: cuts.critical, color: TIER_COLORS.critical },
      ],
    },
  };
}

/**
 * Auxiliary fields stay in the frame (tables, CSV export, our panel) but are hidden from charts,
 * legends and tooltips, so Grafana's own time series panel shows only the score.
 */
const HIDDEN: FieldConfig = { custom: { hideFrom: { viz: true, legend: true, tooltip: true } } };

function numberField(name: string, values: ArrayLike<number>, config: FieldConfig, labels?: Record<string, string>): Field {
  return { name, type: FieldType.number, values: Array.from(values), config, ...(labels ? { labels } : {}) };
}

/** One wide frame per entity, exactly the fields of the contract (DESIGN §4) plus hidden band fields. */
export function entityFrame(es: EntityScore, spec: ScoreSpec, refId: string, stepMs: number): DataFrame {
  const n = es.t.length;
  const fields: Field[] = [
    { name: 'Time', type: FieldType.time, values: Array.from(es.t), config: { interval: stepMs } },
    numberField('score', es.score, scoreFieldConfig(spec.tiers.cuts), { ...es.labels }),
    {
      name: 'tier',
      type: FieldType.string,
      values: Array.from(es.tier, tierName),
      config: { displayName: 'tier', mappings: tierValueMappings(), color: { mode: FieldColorModeId.Fixed } },
      labels: { ...es.labels },
    },
  ];
  const ids = spec.signals.map((s) => s.id);
  for (const id of ids) {
    fields.push(numberField(`contrib:${id}`, es.contrib[id] ?? new Float64Array(n), { ...HIDDEN, unit: 'none', decimals: 2 }));
  }
  for (const id of ids) {
    const o = es.signals[id];
    fields.push(numberField(`signal:${id}`, o ? o.result.statistic : new Float64Array(n).fill(NaN), HIDDEN));
  }
  for (const id of ids) {
    const o = es.signals[id];
    fields.push(numberField(`expected:${id}`, o ? o.result.expected : new Float64Array(n).fill(NaN), HIDDEN));
  }
  // Extension beyond the contract's required fields, for explanations: observed value, band and
  // severity (with meta.custom.spec, enough to say what would change the tier without rescoring).
  for (const id of ids) {
    const o = es.signals[id];
    if (!o) {
      continue;
    }
    fields.push(numberField(`severity:${id}`, o.result.severity, HIDDEN));
    fields.push(numberField(`observed:${id}`, o.observed, HIDDEN));
    fields.push(numberField(`lower:${id}`, o.result.lower, HIDDEN));
    fields.push(numberField(`upper:${id}`, o.result.upper, HIDDEN));
  }
  fields.push(numberField('score:lower', es.scoreLower, HIDDEN));
  fields.push(numberField('score:upper', es.scoreUpper, HIDDEN));

  const last = n - 1;
  const currentTier = n > 0 ? tierName(es.tier[last]) : undefined;
  const custom: ScoreFrameMeta = {
    spec,
    context: es.context,
    specId: spec.id,
    specVersion: spec.version,
    entity: { ...es.labels },
    entityKey: es.key,
    signals: spec.signals.map((s) => {
      const o = es.signals[s.id];
      return {
        id: s.id,
        ...(s.name ? { name: s.name } : {}),
        kind: s.kind,
        weight: s.weight,
        state: o ? o.state : 'missing',
        ...(o?.message ? { message: o.message } : {}),
      };
    }),
    tierCuts: spec.tiers.cuts,
    ...(currentTier
      ? {
          current: {
            score: es.score[last],
            lower: es.scoreLower[last],
            upper: es.scoreUpper[last],
            tier: currentTier,
            action: playbookFor(currentTier, spec.tiers.playbook).action,
            ...(spec.tiers.playbook[currentTier]?.runbook ? { runbook: spec.tiers.playbook[currentTier].runbook } : {}),
          },
        }
      : {}),
    warnings: [...es.errors],
  };
  return {
    name: es.key,
    refId,
    length: n,
    fields,
    meta: { type: DataFrameType.TimeSeriesWide, typeVersion: [0, 1], custom: { ...custom } },
  };
}

/** The "triage" table: one row per entity, most urgent first. */
export function triageFrame(scores: readonly EntityScore[], spec: ScoreSpec, refId: string): DataFrame {
  const rows = rankEntities(scores);
  const labelNames = spec.entity.length > 0 ? spec.entity : [...new Set(rows.flatMap((r) => Object.keys(r.labels)))].sort();
  const fields: Field[] = [
    { name: 'entity', type: FieldType.string, values: rows.map((r) => r.key), config: {} },
    ...labelNames.map((l) => ({ name: l, type: FieldType.string, values: rows.map((r) => r.labels[l] ?? ''), config: {} })),
    numberField('score', rows.map((r) => r.score), scoreFieldConfig(spec.tiers.cuts)),
    numberField('peak', rows.map((r) => r.peakScore), scoreFieldConfig(spec.tiers.cuts, 'peak')),
    { name: 'tier', type: FieldType.string, values: rows.map((r) => r.tier), config: { mappings: tierValueMappings() } },
    { name: 'since', type: FieldType.time, values: rows.map((r) => r.since), config: {} },
    { name: 'top contributor', type: FieldType.string, values: rows.map((r) => r.topContributor?.id ?? ''), config: {} },
    { name: 'action', type: FieldType.string, values: rows.map((r) => playbookFor(r.tier, spec.tiers.playbook).action), config: {} },
  ];
  return { name: 'triage', refId, length: rows.length, fields, meta: { custom: { specId: spec.id, specVersion: spec.version } } };
}

/** Runs of points whose tier index is >= minTier: [startIndex, endIndex] inclusive. */
export function runsAtOrAbove(tier: Uint8Array, minTier: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i <= tier.length; i++) {
    const inside = i < tier.length && tier[i] >= minTier;
    if (inside && start < 0) {
      start = i;
    } else if (!inside && start >= 0) {
      runs.push([start, i - 1]);
      start = -1;
    }
  }
  return runs;
}

/** "latency 41.2, errors 12.0": the largest contributions at point i, highest first. */
export function topContributors(es: EntityScore, i: number, limit = 3): string {
  return Object.entries(es.contrib)
    .map(([id, c]) => [id, c[i]] as const)
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([id, c]) => `${id} ${c.toFixed(1)}`)
    .join(', ');
}

/**
 * Annotation events: one region per run of points at or above `minTier`, per entity. Grafana turns
 * a frame with time, timeEnd, title, text and tags fields into annotations on any dashboard.
 */
export function annotationFrame(scores: readonly EntityScore[], minTier: Tier, refId: string): DataFrame {
  const min = TIERS.indexOf(minTier);
  const time: number[] = [];
  const timeEnd: number[] = [];
  const title: string[] = [];
  const text: string[] = [];
  const tags: string[][] = [];
  for (const es of scores) {
    for (const [a, b] of runsAtOrAbove(es.tier, min)) {
      let peak = a;
      let top = 0;
      for (let i = a; i <= b; i++) {
        if (es.score[i] > es.score[peak]) {
          peak = i;
        }
        top = Math.max(top, es.tier[i]);
      }
      time.push(es.t[a]);
      timeEnd.push(es.t[b]);
      title.push(`${es.key}: ${TIERS[top]} (peak ${es.score[peak].toFixed(0)})`);
      text.push(`Top contributors at the peak: ${topContributors(es, peak) || 'none'}`);
      tags.push(['anomalyscore', `tier:${TIERS[top]}`, ...Object.entries(es.labels).map(([k, v]) => `${k}:${v}`)]);
    }
  }
  return {
    name: 'anomalyscore annotations',
    refId,
    length: time.length,
    fields: [
      { name: 'time', type: FieldType.time, values: time, config: {} },
      { name: 'timeEnd', type: FieldType.time, values: timeEnd, config: {} },
      { name: 'title', type: FieldType.string, values: title, config: {} },
      { name: 'text', type: FieldType.string, values: text, config: {} },
      { name: 'tags', type: FieldType.other, values: tags, config: {} },
    ],
  };
}
