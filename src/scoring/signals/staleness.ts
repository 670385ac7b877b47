/**
 * staleness: age of a timestamp gauge (`*_timestamp_seconds`, e.g. "last successful labelling
 * run"), and data that stopped arriving.
 *
 *   lag = t/1000 − value         seconds (t is epoch ms, value epoch seconds)   statistic
 *   severity = rarity of the lag in this series' own history of lags (default, rarity.ts), counted
 *              only from `minLag` on (a lag shorter than that is never a problem, however unusual:
 *              the ideal model is "0 below minLag, no bound above"), or ramp(lag, warn, max)
 *   band = [0, lag where severity starts to rise], expected = 0
 *
 * A missing value (NaN/±Inf) is POINT_MISSING until the series has been missing for longer than
 * `missingAfter`; from then on the point counts as stale and is judged: lag = t/1000 − the last
 * valid value (how old the newest timestamp we know of is by now), or, if the series never had a
 * value, the time since the detector's first point. This covers `absent()`-style alerts.
 * Negative lags (clocks ahead) give severity 0. Direction does not apply. Support = 1 when judged.
 */
import { Detector, DetectorResult, SignalInput } from '../types';
import { allocResult, assertInput, isFiniteNumber, setBand, setOk, setWarming } from './common';
import { SeverityScale, type SeverityScaleConfig } from './severityScale';

export interface StalenessConfig {
  /** How the lag (seconds) becomes severity. */
  severity: SeverityScaleConfig;
  /** Rarity: lags shorter than this (seconds) never count. */
  minLag: number;
  /** How long (seconds) a value may be missing before the series counts as stale. */
  missingAfter: number;
  /** Points before judging (normally 0). */
  warmup: number;
}

export class StalenessDetector implements Detector {
  readonly kind = 'staleness' as const;
  private seen = 0;
  private firstT = NaN;
  private lastValue = NaN;
  private lastValidT = NaN;
  private readonly scale: SeverityScale;

  constructor(private readonly cfg: StalenessConfig) {
    this.scale = new SeverityScale(cfg.severity);
  }

  process(chunk: SignalInput): DetectorResult {
    assertInput(this.kind, chunk, 'value');
    const { t, value } = chunk;
    const res = allocResult(t);
    const { minLag, missingAfter, warmup } = this.cfg;
    const { scale } = this;
    const rarity = scale.mode === 'rarity';
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      if (this.firstT !== this.firstT) {
        this.firstT = t[i];
      }
      const warming = this.seen < warmup;
      this.seen++;
      let lag = NaN;
      if (isFiniteNumber(x)) {
        this.lastValue = x;
        this.lastValidT = t[i];
        lag = t[i] / 1000 - x;
      } else {
        const since = this.lastValidT === this.lastValidT ? this.lastValidT : this.firstT;
        if ((t[i] - since) / 1000 > missingAfter) {
          lag = this.lastValue === this.lastValue ? t[i] / 1000 - this.lastValue : (t[i] - this.firstT) / 1000;
        }
      }
      if (lag !== lag) {
        continue; // missing, not yet stale
      }
      // No statistical baseline: the severity is exact for the observed value, so it must not
      // widen the score's interval (NaN support = not a sample estimate, see engine.ts).
      res.support[i] = NaN;
      if (warming) {
        scale.skip(t[i]);
        setWarming(res, i);
      } else {
        const sev = scale.judge(t[i], lag, rarity ? (lag < minLag ? 0 : Infinity) : 0);
        if (sev === sev) {
          setOk(res, i, lag, sev);
        } else {
          setWarming(res, i);
        }
      }
      const onset = scale.onsetStatistic(() => minLag);
      setBand(res, i, 0, 0, onset);
    }
    return res;
  }
}
