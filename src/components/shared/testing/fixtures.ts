/**
 * Test fixtures for the app pages: score frames from src/frames/testing.ts (the frame contract's own
 * builder over the real engine, with a detector whose severity is its input; shared with the panel's
 * tests), so a test states the severities and gets consistent scores and tiers; on the app's time
 * grid, with the app's spec and the backtest scenario.
 */
import type { DataFrame } from '@grafana/data';
import { severityEntityFrame } from '../../../frames/testing';
import { withDefaults, type ScoreSpec, type ScoreSpecInput } from '../../../scoring/spec';

export const T0 = Date.UTC(2024, 4, 1, 0, 0, 0);
export const STEP_MS = 5 * 60_000;
export const N = 100;
export const at = (i: number) => T0 + i * STEP_MS;

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
  return severityEntityFrame(spec, labels, severities, { t0: T0, stepMs: STEP_MS });
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
