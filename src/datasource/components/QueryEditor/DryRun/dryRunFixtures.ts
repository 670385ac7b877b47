/**
 * Test fixtures: entity frames in the real contract shape, made the way the pipeline makes them
 * (the engine scores the inputs, the contract's `entityFrame` writes the frames), from plain value
 * series. `threshold` signals are used because their severity is exact and absolute, so the tests
 * can compute the expected shares by hand.
 */
import type { DataFrame } from '@grafana/data';
import { scoreEntities, validateSpec, type ScoreSpec, type ScoreSpecInput, type SignalInputs } from '../../../../scoring';
import { entityFrame } from '../../../../frames/contract';

export const FIXTURE_STEP_MS = 60_000;
export const FIXTURE_T0 = Date.UTC(2026, 0, 5);

export interface FixtureEntity {
  labels: Record<string, string>;
  /** Per signal id, one value per step (NaN = no sample). A signal left out has no input at all. */
  values: Record<string, number[]>;
}

export function validSpec(input: ScoreSpecInput): ScoreSpec {
  const result = validateSpec(input);
  if (!result.ok || !result.spec) {
    throw new Error(`fixture spec is invalid: ${JSON.stringify(result.errors)}`);
  }
  return result.spec;
}

/** Scores the entities with the engine and returns the frames the data source would return. */
export function scoredFrames(input: ScoreSpecInput, entities: readonly FixtureEntity[], refId = 'A'): { spec: ScoreSpec; frames: DataFrame[] } {
  const spec = validSpec(input);
  const scores = scoreEntities(
    spec,
    entities.map((e) => {
      const inputs: SignalInputs = {};
      for (const [id, values] of Object.entries(e.values)) {
        inputs[id] = {
          type: 'value',
          t: Float64Array.from(values, (_, i) => FIXTURE_T0 + i * FIXTURE_STEP_MS),
          value: Float64Array.from(values),
        };
      }
      return { labels: e.labels, inputs };
    }),
    { stepMs: FIXTURE_STEP_MS }
  );
  return { spec, frames: scores.map((es) => entityFrame(es, spec, refId, FIXTURE_STEP_MS)) };
}

/** n values of `base`, with `overrides[index] = value`. */
export function series(n: number, base: number, overrides: Record<number, number> = {}): number[] {
  return Array.from({ length: n }, (_, i) => overrides[i] ?? base);
}
