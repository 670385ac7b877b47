/**
 * threshold: hard limits (SLOs). `above` and/or `below` (NaN = no such limit).
 *
 *   statistic = the value
 *   severity  = 1 beyond a limit when soft = 0 (a step: any violation is a full violation);
 *               with soft > 0 it rises smoothly from 0 at the limit to 1 at limit ± soft
 *               (ramp(excess, 0, soft)), 0 inside the limits
 *   expected  = the nearest allowed value, clamp(value, below, above): the value itself when
 *               inside, the violated limit when outside
 *   lower / upper = below / above (NaN when that limit is not set)
 * Direction follows from the limits given and is not a parameter. Support = 1 (no baseline).
 */
import { Detector, DetectorResult, SignalInput } from '../types';
import { allocResult, assertInput, isFiniteNumber, rampSeverity, setBand, setOk, setWarming } from './common';

export interface ThresholdConfig {
  above: number;
  below: number;
  soft: number;
  warmup: number;
}

export class ThresholdDetector implements Detector {
  readonly kind = 'threshold' as const;
  private seen = 0;

  constructor(private readonly cfg: ThresholdConfig) {}

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'value');
    const { value } = chunk;
    const res = allocResult(chunk.t);
    const { above, below, soft, warmup } = this.cfg;
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      const warming = this.seen < warmup;
      this.seen++;
      if (!isFiniteNumber(x)) {
        continue;
      }
      // No statistical baseline: the severity is exact for the observed value, so it must not
      // widen the score's interval (NaN support = not a sample estimate, see engine.ts).
      res.support[i] = NaN;
      const expected = x > above ? above : x < below ? below : x;
      setBand(res, i, expected, below, above);
      if (warming) {
        setWarming(res, i);
        continue;
      }
      const excess = x > above ? x - above : x < below ? below - x : 0;
      const severity = excess > 0 ? (soft > 0 ? rampSeverity(excess, 0, soft) : 1) : 0;
      setOk(res, i, x, severity);
    }
    return res;
  }
}
