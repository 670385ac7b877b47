/**
 * Test fixtures for the app pages: score frames built with the frame contract's own builder
 * (src/frames/contract.ts entityFrame) from the real engine (scoreEntity), with a detector whose
 * severity is its input, so a test states the severities and gets consistent scores and tiers.
 * (Same approach as src/panel/testing/frames.ts, restated so the app does not import the panel.)
 */
import type { DataFrame } from '@grafana/data';
import { entityFrame } from '../../../frames/contract';
import { scoreEntity, type ScoreOptions } from '../../../scoring/engine';
import { withDefaults, type ScoreSpec, type ScoreSpecInput } from '../../../scoring/spec';
import { POINT_MISSING, POINT_OK, type Detector, type DetectorResult, type SignalInput, type ValueInput } from '../../../scoring/types';

export const T0 = Date.UTC(2024, 4, 1, 0, 0, 0);
export const STEP_MS = 5 * 60_000;
export const N = 100;
export const at = (i: number) => T0 + i * STEP_MS;

const echo: ScoreOptions = {
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

export const SPEC_INPUT: ScoreSpecInput = {
  id: 'fraud-health',
  version: 1,
  entity: ['model', 'version'],
  signals: [
    { id: 'latency', kind: 'robust_z', params: { warn: 2, max: 5 } },
    { id: 'noise', kind: 'robust_z', params: { warn: 2, max: 5 } },
  ],
};

export const fixtureSpec = (): ScoreSpec => withDefaults(SPEC_INPUT);

/** Indices [a, b] (inclusive) set to `value`, the rest 0. */
export function pulses(runs: Array<[number, number]>, value: number, n = N): number[] {
  const out = new Array<number>(n).fill(0);
  for (const [a, b] of runs) {
    for (let i = a; i <= b; i++) {
      out[i] = value;
    }
  }
  return out;
}

export function scoreFrame(labels: Record<string, string>, severities: Record<string, number[]>, spec = fixtureSpec()): DataFrame {
  const n = Math.max(...Object.values(severities).map((s) => s.length));
  const t = Float64Array.from({ length: n }, (_, i) => at(i));
  const inputs = Object.fromEntries(
    Object.entries(severities).map(([id, v]) => [id, { type: 'value' as const, t, value: Float64Array.from(v) }])
  );
  return entityFrame(scoreEntity(spec, labels, inputs, { ...echo, stepMs: STEP_MS }), spec, 'A', STEP_MS);
}

/**
 * The backtest scenario: incidents on fraud/v1 at 10-12, 40-42 (fit part, before 60) and 70-72,
 * 90-92 (held-out), where `latency` has severity 0.9 (score 90: critical); `noise` has severity 0.6
 * (score 60: review, not critical) at 25-27, 55-57 and 80-82, with no incident: false alarms at
 * review and watch only. churn/v1 stays quiet.
 */
export const INCIDENT_RUNS: Array<[number, number]> = [
  [10, 12],
  [40, 42],
  [70, 72],
  [90, 92],
];
export const NOISE_RUNS: Array<[number, number]> = [
  [25, 27],
  [55, 57],
  [80, 82],
];

export function scenarioFrames(): DataFrame[] {
  return [
    scoreFrame({ model: 'fraud', version: 'v1' }, { latency: pulses(INCIDENT_RUNS, 0.9), noise: pulses(NOISE_RUNS, 0.6) }),
    scoreFrame({ model: 'churn', version: 'v1' }, { latency: pulses([], 0), noise: pulses([], 0) }),
  ];
}

export interface AnnotationFixture {
  id: number;
  time: number;
  timeEnd?: number;
  tags: string[];
  text?: string;
}

export function scenarioAnnotations(): AnnotationFixture[] {
  return [
    ...INCIDENT_RUNS.map(([a, b], k) => ({
      id: 100 + k,
      time: at(a),
      timeEnd: at(b),
      tags: ['incident', 'model:fraud', 'version:v1', 'kind:latency'],
      text: `latency incident ${k + 1}`,
    })),
    // Feedback: the last noise alert was dismissed as a false alarm.
    {
      id: 200,
      time: at(81),
      tags: ['anomalyscore', 'feedback:false-alarm', 'model:fraud', 'version:v1', 'tier:review'],
      text: 'batch job, not an incident',
    },
  ];
}
