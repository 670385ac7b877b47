/**
 * The score the preview runs over the demo data when demo/spec.yaml does not exist: one signal per
 * kind the demo telemetry feeds (docs/instrumentation.md), queried per step so that ratio, drift
 * and calibration detectors get per-step counts.
 */
import type { ScoreSpecInput } from '../src/scoring/spec';

const BY = 'model, version, region';

export const DEMO_SPEC: ScoreSpecInput = {
  id: 'demo-model-health',
  version: 1,
  title: 'Demo: model health',
  entity: ['model', 'version', 'region'],
  step: '1m',
  signals: [
    {
      id: 'errors',
      name: 'error ratio',
      kind: 'ratio',
      source: {
        queries: {
          numerator: `sum by (${BY}) (increase(model_errors_total[1m]))`,
          denominator: `sum by (${BY}) (increase(model_requests_total[1m]))`,
        },
      },
    },
    {
      id: 'latency',
      name: 'p95 latency',
      kind: 'robust_z',
      direction: 'up',
      params: { window: '2h' },
      source: {
        queries: { value: `histogram_quantile(0.95, sum by (${BY}, le) (rate(model_latency_seconds_bucket[5m])))` },
      },
    },
    {
      id: 'prediction_drift',
      name: 'prediction drift',
      kind: 'histogram_drift',
      source: { queries: { buckets: `sum by (${BY}, le) (increase(model_prediction_score_bucket[1m]))` } },
    },
    {
      id: 'calibration',
      name: 'calibration gap',
      kind: 'calibration',
      source: {
        queries: {
          buckets: `sum by (${BY}, le) (increase(model_confidence_bucket[1m]))`,
          correct: `sum by (${BY}, le) (increase(model_confidence_correct_bucket[1m]))`,
        },
      },
    },
    {
      id: 'labels',
      name: 'label freshness',
      kind: 'staleness',
      params: { warn: '15m', max: '1h' },
      source: { queries: { value: `max by (${BY}) (model_last_label_timestamp_seconds)` } },
    },
  ],
};

/** Extra history the demo spec needs before the range (1 d baselines and reference windows). */
export const DEMO_HISTORY = '1d';
