/**
 * Test fixtures for contract frames, shared by the panel's and the app's tests: score frames built
 * with the frame contract's own builder (./contract entityFrame, the one the data source uses) from
 * the real scoring engine (scoreEntity), so sums, intervals and tiers are consistent. The echo
 * detector makes each severity exactly what a test asks for.
 */
import type { DataFrame } from '@grafana/data';
import { entityFrame } from './contract';
import { scoreEntity, type ScoreOptions } from '../scoring/engine';
import type { ScoreSpec } from '../scoring/spec';
import { POINT_MISSING, POINT_OK, type Detector, type DetectorResult, type SignalInput, type ValueInput } from '../scoring/types';

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

/**
 * The frame the data source builds for one scored entity, from per-signal severities (one array per
 * signal id, point i at `t0 + i * stepMs`): the real engine combines them, assigns tiers and context.
 */
export function severityEntityFrame(
  spec: ScoreSpec,
  labels: Record<string, string>,
  severities: Record<string, number[]>,
  grid: { t0: number; stepMs: number; refId?: string }
): DataFrame {
  const n = Math.max(0, ...Object.values(severities).map((a) => a.length));
  const t = Float64Array.from({ length: n }, (_, i) => grid.t0 + i * grid.stepMs);
  const inputs = Object.fromEntries(
    Object.entries(severities).map(([id, v]) => [id, { type: 'value' as const, t, value: Float64Array.from(v) }])
  );
  const es = scoreEntity(spec, labels, inputs, { ...echoDetector, stepMs: grid.stepMs });
  return entityFrame(es, spec, grid.refId ?? 'A', grid.stepMs);
}
