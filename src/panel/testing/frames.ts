/**
 * Test fixtures: frames built with the frame contract's own builders (src/frames/contract.ts, the
 * same the data source uses; the panel never imports the data source). Numbers come from the real scoring engine (`scoreEntity`), so sums, intervals and
 * tiers are consistent; `echoDetector` makes severities exactly what a test asks for.
 */
import { entityFrame, scoreFieldConfig, tierValueMappings } from '../../frames/contract';
import {
  DataFrame,
  DataFrameType,
  Field,
  FieldConfig,
  FieldType,
} from '@grafana/data';
import { scoreEntity, type EntityScore, type ScoreOptions } from '../../scoring/engine';
import { withDefaults, type ScoreSpec, type ScoreSpecInput } from '../../scoring/spec';
import {
  POINT_MISSING,
  POINT_OK,
  type Detector,
  type DetectorResult,
  type SignalInput,
  type Tier,
  type ValueInput,
} from '../../scoring/types';

const HIDDEN: FieldConfig = { custom: { hideFrom: { viz: true, legend: true, tooltip: true } } };

function num(
  name: string,
  values: ArrayLike<number>,
  config: FieldConfig = HIDDEN,
  labels?: Record<string, string>
): Field {
  return { name, type: FieldType.number, values: Array.from(values), config, ...(labels ? { labels } : {}) };
}

/** The frame the data source builds for one scored entity: the contract's own builder. */
export function frameFromScore(es: EntityScore, spec: ScoreSpec, refId = 'A', stepMs = 60_000): DataFrame {
  return entityFrame(es, spec, refId, stepMs);
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
      num('score', scores, scoreFieldConfig({ watch: 25, review: 50, critical: 75 }), labels),
      { name: 'tier', type: FieldType.string, values: tiers, config: { mappings: tierValueMappings() } },
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
