/**
 * The benchmark's ScoreSpec: the five signals the engine issue names, default parameters at a 1-minute
 * step (robust_z window 1h; seasonal 1d × 3 seasons; level_shift window 1d; ratio 5m vs 1d;
 * histogram_drift PSI 1h vs 1d on 10 buckets), and the inputs of one entity in the engine's shapes.
 */
import { validateSpec, type ScoreSpec, type SignalInputs } from '../src/scoring';
import { BUCKET_LE, type EntityData } from './data';

/** Window overrides for the window-scaling run (points); undefined = the defaults above. */
export interface WindowOverride {
  window: number;
}

export function benchSpec(override?: WindowOverride): ScoreSpec {
  const w = override?.window;
  const signals = [
    { id: 'latency_z', kind: 'robust_z', params: w ? { window: w } : { window: '1h' } },
    {
      id: 'traffic_seasonal',
      kind: 'seasonal',
      params: w ? { season: '1d', seasons: 3, window: w } : { season: '1d', seasons: 3 },
    },
    { id: 'confidence_shift', kind: 'level_shift', params: w ? { window: w } : { window: '1d' } },
    { id: 'error_ratio', kind: 'ratio', params: w ? { window: 5, baseline: w } : { window: '5m', baseline: '1d' } },
    {
      id: 'score_drift',
      kind: 'histogram_drift',
      params: w ? { window: 60, reference: w, metric: 'psi' } : { window: '1h', reference: '1d', metric: 'psi' },
    },
  ];
  const r = validateSpec({ id: 'bench', version: 1, step: '1m', entity: ['model'], signals });
  if (!r.ok || !r.spec) {
    throw new Error(`bench spec invalid: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  return r.spec;
}

export const SIGNAL_IDS = ['latency_z', 'traffic_seasonal', 'confidence_shift', 'error_ratio', 'score_drift'];

const LE = Float64Array.from(BUCKET_LE);

/** The entity's signal inputs (no copies: the generated arrays are used as they are). */
export function inputsOf(e: EntityData, from = 0, to = e.t.length): SignalInputs {
  const cut = (a: Float64Array) => (from === 0 && to === a.length ? a : a.subarray(from, to));
  const t = cut(e.t);
  return {
    latency_z: { type: 'value', t, value: cut(e.latency) },
    traffic_seasonal: { type: 'value', t, value: cut(e.requests) },
    confidence_shift: { type: 'value', t, value: cut(e.confidence) },
    error_ratio: { type: 'ratio', t, num: cut(e.errors), den: cut(e.requests) },
    score_drift: { type: 'buckets', t, le: LE, cumulative: e.cumulative.map(cut) },
  };
}
