/**
 * Test fixtures of the panel: the contract frames come from src/frames/testing.ts (the contract's
 * own builder over the real engine, with the echo detector; shared with the app's tests), on the
 * panel's time grid and spec; plus cheap volume frames and annotation frames.
 */
import { entityFrame, scoreFieldConfig, tierValueMappings } from '../../frames/contract';
import { severityEntityFrame } from '../../frames/testing';
import {
  DataFrame,
  DataFrameType,
  Field,
  FieldConfig,
  FieldType,
} from '@grafana/data';
import type { EntityScore } from '../../scoring/engine';
import { withDefaults, type ScoreSpec, type ScoreSpecInput } from '../../scoring/spec';
import type { Tier } from '../../scoring/types';

const HIDDEN: FieldConfig = { custom: { hideFrom: { viz: true, legend: true, tooltip: true } } };

function num(
  name: string,
  values: ArrayLike<number>,
  config: FieldConfig = HIDDEN,
  labels?: Record<string, string>
): Field {
  return { name, type: FieldType.number, values: Array.from(values), config, ...(labels ? { labels } : {}) };
}

export { echoDetector } from '../../frames/testing';

/** The frame the data source builds for one scored entity: the contract's own builder. */
export function frameFromScore(es: EntityScore, spec: ScoreSpec, refId = 'A', stepMs = 60_000): DataFrame {
  return entityFrame(es, spec, refId, stepMs);
}

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
  return severityEntityFrame(spec, labels, severities, { t0: T0, stepMs: STEP_MS, refId });
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
