/**
 * Test fixtures: frames that follow the data source's frame contract (DESIGN §4 and
 * src/datasource/pipeline/frames.ts) without importing the data source (the panel may only depend
 * on scoring). Numbers come from the real scoring engine (`scoreEntity`), so sums, intervals and
 * tiers are consistent; `echoDetector` makes severities exactly what a test asks for.
 */
import {
  DataFrame,
  DataFrameType,
  Field,
  FieldColorModeId,
  FieldConfig,
  FieldType,
  MappingType,
  ThresholdsMode,
  ValueMapping,
} from '@grafana/data';
import { scoreEntity, type EntityScore, type ScoreOptions } from '../../scoring/engine';
import { withDefaults, type ScoreSpec, type ScoreSpecInput } from '../../scoring/spec';
import { playbookFor, tierName, type TierCuts } from '../../scoring/tiers';
import {
  POINT_MISSING,
  POINT_OK,
  TIERS,
  type Detector,
  type DetectorResult,
  type SignalInput,
  type Tier,
  type ValueInput,
} from '../../scoring/types';

const TIER_COLORS: Record<Tier, string> = { ok: 'green', watch: 'yellow', review: 'orange', critical: 'red' };

export function tierMappings(): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  TIERS.forEach((t, index) => {
    options[t] = { text: t, color: TIER_COLORS[t], index };
  });
  return [{ type: MappingType.ValueToText, options }];
}

export function scoreConfig(cuts: TierCuts): FieldConfig {
  return {
    min: 0,
    max: 100,
    decimals: 1,
    displayName: 'score',
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

const HIDDEN: FieldConfig = { custom: { hideFrom: { viz: true, legend: true, tooltip: true } } };

function num(
  name: string,
  values: ArrayLike<number>,
  config: FieldConfig = HIDDEN,
  labels?: Record<string, string>
): Field {
  return { name, type: FieldType.number, values: Array.from(values), config, ...(labels ? { labels } : {}) };
}

/** The frame the data source builds for one scored entity (same fields, names and meta). */
export function frameFromScore(es: EntityScore, spec: ScoreSpec, refId = 'A', stepMs = 60_000): DataFrame {
  const n = es.t.length;
  const ids = spec.signals.map((s) => s.id);
  const fields: Field[] = [
    { name: 'Time', type: FieldType.time, values: Array.from(es.t), config: { interval: stepMs } },
    num('score', es.score, scoreConfig(spec.tiers.cuts), { ...es.labels }),
    {
      name: 'tier',
      type: FieldType.string,
      values: Array.from(es.tier, tierName),
      config: { displayName: 'tier', mappings: tierMappings(), color: { mode: FieldColorModeId.Fixed } },
      labels: { ...es.labels },
    },
  ];
  for (const id of ids) {
    fields.push(num(`contrib:${id}`, es.contrib[id] ?? new Float64Array(n), { ...HIDDEN, unit: 'none', decimals: 2 }));
  }
  for (const id of ids) {
    fields.push(num(`signal:${id}`, es.signals[id]?.result.statistic ?? new Float64Array(n).fill(NaN)));
  }
  for (const id of ids) {
    fields.push(num(`expected:${id}`, es.signals[id]?.result.expected ?? new Float64Array(n).fill(NaN)));
  }
  for (const id of ids) {
    const o = es.signals[id];
    if (!o) {
      continue;
    }
    fields.push(num(`severity:${id}`, o.result.severity));
    fields.push(num(`observed:${id}`, o.observed));
    fields.push(num(`lower:${id}`, o.result.lower));
    fields.push(num(`upper:${id}`, o.result.upper));
  }
  fields.push(num('score:lower', es.scoreLower));
  fields.push(num('score:upper', es.scoreUpper));
  const last = n - 1;
  const currentTier = n > 0 ? tierName(es.tier[last]) : undefined;
  const custom = {
    spec,
    context: es.context,
    specId: spec.id,
    specVersion: spec.version,
    entity: { ...es.labels },
    entityKey: es.key,
    signals: spec.signals.map((s) => ({
      id: s.id,
      ...(s.name ? { name: s.name } : {}),
      kind: s.kind,
      weight: s.weight,
      state: es.signals[s.id]?.state ?? 'missing',
      ...(es.signals[s.id]?.message ? { message: es.signals[s.id].message } : {}),
    })),
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
    meta: { type: DataFrameType.TimeSeriesWide, typeVersion: [0, 1], custom },
  };
}

/**
 * A detector whose severity is its input value (0..1): expected 10, band 5..15, statistic = the
 * value mapped through the robust_z ramp's inverse (warn 2, max 5: severity 0 at 2, 1 at 5).
 */
export const echoDetector: ScoreOptions = {
  createDetector: (): Detector => ({
    kind: 'robust_z',
    process(chunk: SignalInput): DetectorResult {
      const v = (chunk as ValueInput).value;
      const n = v.length;
      return {
        t: Float64Array.from(chunk.t),
        statistic: Float64Array.from(v, (x) => 2 + 3 * x),
        severity: Float64Array.from(v),
        expected: new Float64Array(n).fill(10),
        lower: new Float64Array(n).fill(5),
        upper: new Float64Array(n).fill(15),
        support: new Float64Array(n).fill(50),
        status: Uint8Array.from(v, (x) => (Number.isNaN(x) ? POINT_MISSING : POINT_OK)),
      };
    },
  }),
};

export const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);
export const STEP_MS = 60_000;

export function fixtureSpec(extra: Partial<ScoreSpecInput> = {}): ScoreSpec {
  return withDefaults({
    id: 'model-health',
    version: 3,
    entity: ['model', 'version'],
    signals: [
      { id: 'latency', name: 'p99 latency', kind: 'robust_z', direction: 'up', params: { warn: 2, max: 5 } },
      { id: 'errors', name: 'error rate', kind: 'robust_z', direction: 'up', params: { warn: 2, max: 5 } },
      { id: 'drift', kind: 'robust_z', params: { warn: 2, max: 5 } },
    ],
    tiers: {
      playbook: {
        review: { action: 'human review', runbook: 'https://runbooks.example/review' },
        critical: { action: 'roll back', owner: 'ml-oncall', runbook: 'https://runbooks.example/critical' },
      },
    },
    ...extra,
  });
}

/**
 * A scored entity frame from per-signal severities (one array per signal id, same length): the
 * real engine combines them, assigns tiers and context; the echo detector makes the input the severity.
 */
export function severityFrame(
  labels: Record<string, string>,
  severities: Record<string, number[]>,
  spec: ScoreSpec = fixtureSpec(),
  refId = 'A'
): DataFrame {
  const n = Math.max(0, ...Object.values(severities).map((a) => a.length));
  const t = Float64Array.from({ length: n }, (_, i) => T0 + i * STEP_MS);
  const inputs = Object.fromEntries(
    Object.entries(severities).map(([id, v]) => [id, { type: 'value' as const, t, value: Float64Array.from(v) }])
  );
  const es = scoreEntity(spec, labels, inputs, { ...echoDetector, stepMs: STEP_MS });
  return frameFromScore(es, spec, refId, STEP_MS);
}

/**
 * A cheap frame for volume tests: the score and tier series given directly (no meta, no signals
 * beyond one `contrib:main` equal to the score).
 */
export function plainScoreFrame(
  labels: Record<string, string>,
  scores: number[],
  tiers: Tier[],
  refId = 'A'
): DataFrame {
  const n = scores.length;
  return {
    name: JSON.stringify(labels),
    refId,
    length: n,
    fields: [
      { name: 'Time', type: FieldType.time, values: scores.map((_, i) => T0 + i * STEP_MS), config: {} },
      num('score', scores, scoreConfig({ watch: 25, review: 50, critical: 75 }), labels),
      { name: 'tier', type: FieldType.string, values: tiers, config: { mappings: tierMappings() } },
      num('contrib:main', scores),
    ],
    meta: { type: DataFrameType.TimeSeriesWide },
  };
}

/** An annotation frame like Grafana puts in `data.annotations`. */
export function annotationsFrame(
  items: Array<{ time: number; timeEnd?: number; text: string; tags: string[]; title?: string }>
): DataFrame {
  return {
    name: 'annotations',
    length: items.length,
    fields: [
      { name: 'time', type: FieldType.time, values: items.map((a) => a.time), config: {} },
      { name: 'timeEnd', type: FieldType.time, values: items.map((a) => a.timeEnd ?? a.time), config: {} },
      { name: 'title', type: FieldType.string, values: items.map((a) => a.title ?? ''), config: {} },
      { name: 'text', type: FieldType.string, values: items.map((a) => a.text), config: {} },
      { name: 'tags', type: FieldType.other, values: items.map((a) => a.tags), config: {} },
    ],
  };
}
