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
 *   severity of z (the larger side for 'both'): its rarity in this series' own history (default,
 *   rarity.ts; ideal model z ~ N(0, 1) one-sided, since the deviance root is asymptotically
 *   normal under the null rate), or ramp(z, warn, max).
 * The null rates make a change count only when it is practically relevant (at least 10% relative
 * and 0.1 percentage points by default), and z grows with √n so severity rises with evidence.
 * Band: pD − z₀·√(pD(1−pD)/n) .. pU + z₀·√(pU(1−pU)/n), z₀ = the z where severity starts to rise:
 * the approximate acceptance region of the score test at the current volume n.
 *
 * Missing num/den (NaN/±Inf/negative) → POINT_MISSING; zero traffic in the current window →
 * POINT_MISSING (no evidence); num > den is clamped to den.
 */
import { Detector, DetectorResult, Direction, SignalInput } from '../types';
import {
  allocResult,
  assertInput,
  isFiniteNumber,
  setBand,
  setOk,
  setWarming,
  TwoWindowSums,
} from './common';
import { binomialSignedRoot } from '../util/stats';
import { normalTailDecades } from '../util/normalTail';
import { SeverityScale, zIdealInverse, type SeverityScaleConfig } from './severityScale';

export interface RatioConfig {
  /** Current window, in points. */
  window: number;
  /** Baseline window before the current one, in points. */
  baseline: number;
  /** Valid baseline points required before judging. */
  warmup: number;
  severity: SeverityScaleConfig;
  minRelChange: number;
  minAbsChange: number;
  direction: Direction;
}

export class RatioDetector implements Detector {
  readonly kind = 'ratio' as const;
  private readonly sums: TwoWindowSums;
  private readonly scratch = new Float64Array(2);
  private readonly scale: SeverityScale;
  /** The onset z that does not move: warn for a ramp, the ideal model's for rarity. */
  private readonly fixedOnset: number;

  constructor(private readonly cfg: RatioConfig) {
    this.sums = new TwoWindowSums(2, cfg.window, cfg.baseline);
    this.scale = new SeverityScale(cfg.severity);
    this.fixedOnset = this.scale.onsetStatistic((d) => zIdealInverse(d, false));
  }

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'ratio');
    const { num, den } = chunk;
    if (num.length !== den.length || num.length !== chunk.t.length) {
      throw new Error('ratio detector: t, num and den must have the same length');
    }
    const res = allocResult(chunk.t);
    const { sums, scratch } = this;
    const { warmup, minRelChange, minAbsChange, direction } = this.cfg;
    const { scale } = this;
    const rarity = scale.mode === 'rarity';
    const t = chunk.t;
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
        scale.skip(t[i]);
        continue; // no traffic in the current window (or counts overflowing doubles): nothing to judge
      }
      const phat = Math.min(1, x / n);
      const p0 = (sums.baseline[0] + 0.5) / (baseDen + 1);
      const pUp = Math.min(1, Math.max(p0 * (1 + minRelChange), p0 + minAbsChange));
      const pDown = Math.max(0, Math.min(p0 * (1 - minRelChange), p0 - minAbsChange));
      const zUp = direction !== 'down' && phat > pUp && pUp < 1 ? binomialSignedRoot(x, n, pUp) : 0;
      const zDown = direction !== 'up' && phat < pDown && pDown > 0 ? -binomialSignedRoot(x, n, pDown) : 0;
      const z = zUp > zDown ? zUp : zDown;
      const sev = scale.judge(t[i], z, rarity ? normalTailDecades(z) : 0);
      if (sev === sev) {
        setOk(res, i, phat, sev);
      } else {
        setWarming(res, i);
      }
      const z0 = rarity ? this.onset() : this.fixedOnset;
      setBand(
        res,
        i,
        p0,
        Math.max(0, pDown - z0 * Math.sqrt((pDown * (1 - pDown)) / n)),
        Math.min(1, pUp + z0 * Math.sqrt((pUp * (1 - pUp)) / n))
      );
    }
    return res;
  }

  /** The z where severity starts to rise now: the larger of the history's and the ideal's. */
  private onset(): number {
    const emp = this.scale.calibrator!.onsetEmpirical;
    return emp > this.fixedOnset ? emp : emp === emp ? this.fixedOnset : NaN;
  }
}
