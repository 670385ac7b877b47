/**
 * ratio: a rate of events (errors / requests) judged with the counts behind it, so that 1 error
 * in 3 requests is weak evidence and 300 in 900 is overwhelming.
 *
 *   current  = Σnum / Σden over the last `window` points (current point included)   statistic
 *   baseline p0 = (Σnum + 0.5) / (Σden + 1) over the `baseline` points before that   expected
 *                 (the +0.5/+1 keeps p0 > 0 after a clean baseline)
 *   null rate for 'up'   pU = max(p0·(1 + minRelChange), p0 + minAbsChange)
 *   null rate for 'down' pD = min(p0·(1 − minRelChange), p0 − minAbsChange)
 *   z = signed root of the binomial deviance of Σnum of Σden against pU (or pD)
 *   severity = ramp(z, warn, max), the larger of the two sides for 'both'.
 * The null rates make a change count only when it is practically relevant (at least 10% relative
 * and 0.1 percentage points by default), and z grows with √n so severity rises with evidence.
 * Band: pD − warn·√(pD(1−pD)/n) .. pU + warn·√(pU(1−pU)/n), the approximate acceptance region of the
 * score test at the current volume n.
 *
 * Missing num/den (NaN/±Inf/negative) → POINT_MISSING; zero traffic in the current window →
 * POINT_MISSING (no evidence); num > den is clamped to den.
 */
import { Detector, DetectorResult, Direction, SignalInput } from '../types';
import {
  allocResult,
  assertInput,
  isFiniteNumber,
  rampSeverity,
  setBand,
  setOk,
  setWarming,
  TwoWindowSums,
} from './common';
import { binomialSignedRoot } from '../util/stats';

export interface RatioConfig {
  /** Current window, in points. */
  window: number;
  /** Baseline window before the current one, in points. */
  baseline: number;
  /** Valid baseline points required before judging. */
  warmup: number;
  warn: number;
  max: number;
  minRelChange: number;
  minAbsChange: number;
  direction: Direction;
}

export class RatioDetector implements Detector {
  readonly kind = 'ratio' as const;
  private readonly sums: TwoWindowSums;
  private readonly scratch = new Float64Array(2);

  constructor(private readonly cfg: RatioConfig) {
    this.sums = new TwoWindowSums(2, cfg.window, cfg.baseline);
  }

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'ratio');
    const { num, den } = chunk;
    if (num.length !== den.length || num.length !== chunk.t.length) {
      throw new Error('ratio detector: t, num and den must have the same length');
    }
    const res = allocResult(chunk.t);
    const { sums, scratch } = this;
    const { warmup, warn, max, minRelChange, minAbsChange, direction } = this.cfg;
    for (let i = 0; i < num.length; i++) {
      const d = den[i];
      const valid = isFiniteNumber(num[i]) && isFiniteNumber(d) && num[i] >= 0 && d >= 0;
      if (valid) {
        scratch[0] = num[i] < d ? num[i] : d;
        scratch[1] = d;
      }
      sums.push(valid ? scratch : null);
      res.support[i] = sums.baselineValid;
      if (!valid) {
        continue;
      }
      const baseDen = sums.baseline[1];
      if (sums.baselineValid < warmup || sums.baselineValid === 0 || !(baseDen > 0)) {
        setWarming(res, i);
        continue;
      }
      const n = sums.current[1];
      const x = sums.current[0];
      if (!(n > 0) || !isFiniteNumber(n) || !isFiniteNumber(x) || !isFiniteNumber(baseDen)) {
        continue; // no traffic in the current window (or counts overflowing doubles): nothing to judge
      }
      const phat = Math.min(1, x / n);
      const p0 = (sums.baseline[0] + 0.5) / (baseDen + 1);
      const pUp = Math.min(1, Math.max(p0 * (1 + minRelChange), p0 + minAbsChange));
      const pDown = Math.max(0, Math.min(p0 * (1 - minRelChange), p0 - minAbsChange));
      const zUp = direction !== 'down' && phat > pUp && pUp < 1 ? binomialSignedRoot(x, n, pUp) : 0;
      const zDown = direction !== 'up' && phat < pDown && pDown > 0 ? -binomialSignedRoot(x, n, pDown) : 0;
      const sev = Math.max(rampSeverity(zUp, warn, max), rampSeverity(zDown, warn, max));
      setOk(res, i, phat, sev);
      setBand(
        res,
        i,
        p0,
        Math.max(0, pDown - warn * Math.sqrt((pDown * (1 - pDown)) / n)),
        Math.min(1, pUp + warn * Math.sqrt((pUp * (1 - pUp)) / n))
      );
    }
    return res;
  }
}
