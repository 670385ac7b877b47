/**
 * Self-calibrating severity ("rarity"): a detector's statistic becomes severity through that
 * series' own history, so that severity 0.5 means the same rarity on every series, whatever the
 * shape of its healthy noise (heavy tails, quantised values, autocorrelation, low counts).
 *
 * History. Time is cut into blocks of `blockMs` (5 min; one point per block when the step is
 * longer). The history is the maxima of the directed statistic x in the last `historyBlocks`
 * blocks (default 7 days). Episodes above the tail's threshold are held back while they last, and
 * alarm episodes stay out unless they recur (see RarityCalibrator for the rule and why).
 *
 * Tail (decades of rarity). L(x) = −log10 P(a block's maximum exceeds x), estimated by peaks over
 * a threshold (Pickands 1975; Balkema & de Haan 1974; as in SPOT): the threshold u is the history's
 * 95 % order statistic, the N blocks strictly above it are its exceedances y = x − u, and a
 * generalised Pareto tail is fitted to them by probability-weighted moments (Hosking & Wallis 1987):
 *   a0 = mean(y),  a1 = (1/N)·Σ_j y_(j)·(N − j)/(N − 1)        (y_(1) <= … <= y_(N))
 *   r = a0 / (2·a1),  ξ = (r − 2)/(r − 1),  σ = a0·(1 − ξ)     (ξ clamped to [0, 0.9]; at 0, σ = a0,
 *                                                              the exponential tail's MLE)
 *   L(x) = log10(n/N) + log10(1 + ξ(x − u)/σ)/ξ               for x > u  (ξ = 0: (x − u)/(σ ln 10))
 * PWM uses every exceedance (≈ 100 blocks of a 7-day history), so the extrapolated threshold is
 * steady (its noise would otherwise turn into extra alarms); it is valid for any ξ < 1, covering
 * tails as heavy as Student-t with ν = 2 (ξ = 1/2). ξ is clamped at 0 from below because a bounded
 * tail fitted to a finite history would call anything just beyond its maximum infinitely rare: a
 * light tail (ξ < 0, e.g. Gaussian block maxima) extrapolates exponentially, which is conservative
 * (|z| = 5 on 5-point blocks of N(0, 1): about 4.6 decades against the exact 5.5). Ties are exact:
 * N counts only values strictly above u, so a statistic that is mostly 0 has u = 0 and a small N/n;
 * when ties leave fewer than 10 values above u, u is lowered to the next distinct value, so a
 * quantised statistic keeps a tail to fit. With nothing left below (a constant history) anything
 * higher is unprecedented: the cap.
 *
 * Inside the range already seen the fit is also bounded by the observed frequency: a value that
 * k of the n blocks reached or exceeded is at most log10(n/k) decades rare, however the fitted
 * curve bends there (a mixture — a bulk and a rare second component — fits the bulk).
 *
 * Evidence caps the claim: L <= log10(n) + e·sqrt(n/capacity) for n blocks of a history that holds
 * `capacity`, e = three decades of extrapolation, or what severity 1 needs with a full history if
 * that is more (L50 + 1.5 − log10(capacity): a target far rarer than the history is extrapolation
 * by construction, and the ideal model must agree). A young history claims less: after one day of
 * a 7-day window the cap is about 1.2 decades above its resolution instead of 3.2, so a new
 * deployment does not page on the first quantisation step it has never seen. Fewer than 12 blocks is "warming up".
 *
 * Ideal model. Each kind also knows what its statistic would do under ideal noise (a z under
 * N(0, 1), a CUSUM's exponential stationary tail, a divergence's χ² noise …): L_ref. The rarity is
 * the less surprising of the two, L = min(L_emp, L_ref), so a degenerate history (a statistic that is
 * always 0) cannot make tiny noise look rare, and a history of heavy-tailed noise cannot be outvoted
 * by a Gaussian model. L_ref per point converts to blocks of d points as p_block ≈ d·p_point.
 *
 * Severity. One global rarity target: severity 0.5 at the rarity of "once per `rarity`" (30 days) of
 * the series' own history, L50 = log10(rarity / block); a smoothstep over L50 ± 1.5 decades, so
 * severity 0 below once per ~1 day (30 d / 10^1.5), 1 above once per ~2.6 years.
 *
 * Streaming and exact under any chunking: the state is the running block maximum, the sorted
 * history and its ring; the tail is refitted when a block completes.
 */
import { rampSeverity } from './common';
import { SortedWindow } from '../util/sortedWindow';
import { inverseSmoothstep } from '../util/smoothstep';

/** The threshold is the history's (1 − TAIL_FRACTION) order statistic. */
export const TAIL_FRACTION = 0.05;
/** ξ is kept in [0, XI_MAX] (PWM needs ξ < 1). */
export const XI_MAX = 0.9;
/** Fewer exceedances than this: ξ = 0 (the shape needs more data than the scale). */
export const MIN_EXCEEDANCES_FOR_SHAPE = 10;

/** At most this many decades beyond log10(history size) can be claimed. */
export const EXTRAPOLATION_DECADES = 3;
/** How a young history's allowed extrapolation grows with its fill (n/capacity)^YOUNG_EXPONENT. */
export const YOUNG_EXPONENT = 0;
/** Blocks of history needed before the signal judges. */
export const MIN_HISTORY_BLOCKS = 12;
/** Half-width, in decades, of the severity ramp around the rarity target. */
export const SEVERITY_HALF_WIDTH_DECADES = 1.5;
/** A block with a point at or above this severity is an alarm block (see RarityCalibrator). */
export const EXCLUDE_SEVERITY = 0.5;
/** A sustained episode is learnt as the new normal after this long. */
export const NEW_NORMAL_MS = 86_400_000;
/** An episode above the threshold that has not alarmed in this long is learnt from then on. */
export const ELEVATED_NORMAL_MS = 3 * 3_600_000;
/** A further alarm episode inside the history window releases all kept-out ones into it. */
export const MAX_EXCLUDED_EPISODES = 2;
/** Defaults of the rarity params, as durations. */
export const DEFAULT_BLOCK = '5m';
export const DEFAULT_RARITY = '30d';
export const DEFAULT_RARITY_WINDOW = '7d';

const LN10 = Math.LN10;

export interface RarityConfig {
  /** Block length in ms. */
  blockMs: number;
  /** Step between points in ms (to convert a per-point ideal tail to blocks). */
  stepMs: number;
  /** History length, in ms. */
  historyMs: number;
  /** Severity 0.5 at "once per rarityMs" of history. */
  rarityMs: number;
  /** Keep alarms out of the history (default true; false only to measure what it changes). */
  excludeAlarms?: boolean;
}

/** A fitted tail: the threshold, the exceedance rate and the GPD shape and scale. */
export interface TailFit {
  /** Blocks of history. */
  n: number;
  /** Blocks strictly above the threshold. */
  exceedances: number;
  /** The threshold (the anchor) and its decades, log10(n / exceedances). */
  anchor: number;
  anchorDecades: number;
  xi: number;
  /** GPD scale of the excess over the anchor; NaN when nothing exceeds it (a flat top). */
  sigma: number;
  /** Largest claim, log10(n) + the extrapolation allowed (see RarityCalibrator). */
  cap: number;
}

/** Quantile of a sorted window with linear interpolation, rank = p·(n − 1) (Prometheus, numpy). */
export function sortedQuantile(win: SortedWindow, p: number): number {
  const n = win.size;
  if (n === 0) {
    return NaN;
  }
  const rank = p * (n - 1);
  const lo = Math.floor(rank);
  const hi = lo + 1 < n ? lo + 1 : lo;
  const weight = rank - lo;
  return win.at(lo) * (1 - weight) + win.at(hi) * weight;
}

/** Read access to ascending values (a SortedWindow, or an array in tests). */
export interface AscendingValues {
  readonly size: number;
  at(i: number): number;
}

/** Fit the tail of ascending values (see the file comment); n >= 1. */
export function fitTail(
  values: AscendingValues,
  extrapolation = EXTRAPOLATION_DECADES,
  tailFraction = TAIL_FRACTION
): TailFit {
  const n = values.size;
  const cap = Math.log10(Math.max(1, n)) + extrapolation;
  // The threshold: the 95 % order statistic, lowered past ties until MIN_EXCEEDANCES_FOR_SHAPE blocks
  // lie strictly above it (or nothing lower is left). A quantised statistic (lags in whole
  // minutes, a quantile on bucket edges) then keeps a tail to fit instead of a flat top.
  let k = Math.floor((1 - tailFraction) * (n - 1));
  let u = values.at(k);
  let lo = firstAbove(values, u, k + 1);
  while (n - lo < MIN_EXCEEDANCES_FOR_SHAPE && k > 0) {
    while (k > 0 && !(values.at(k) < u)) {
      k--;
    }
    if (!(values.at(k) < u)) {
      break;
    }
    u = values.at(k);
    lo = firstAbove(values, u, k + 1);
  }
  const count = n - lo;
  if (count === 0) {
    return { n, exceedances: 0, anchor: u, anchorDecades: Math.log10(n), xi: 0, sigma: NaN, cap };
  }
  let a0 = 0;
  let a1 = 0;
  for (let j = 1; j <= count; j++) {
    const y = values.at(lo + j - 1) - u;
    a0 += y;
    a1 += y * (count - j);
  }
  a0 /= count;
  a1 = count > 1 ? a1 / (count * (count - 1)) : 0;
  let xi = 0;
  if (count >= MIN_EXCEEDANCES_FOR_SHAPE && a1 > 0) {
    const r = a0 / (2 * a1);
    // r <= 1 only for degenerate (equal) exceedances, the lightest tail there is: ξ = 0.
    xi = r > 1 ? (r - 2) / (r - 1) : 0;
    xi = xi > XI_MAX ? XI_MAX : xi > 0 ? xi : 0;
  }
  const sigma = a0 * (1 - xi);
  return { n, exceedances: count, anchor: u, anchorDecades: Math.log10(n / count), xi, sigma, cap };
}

/** First index at or after `from` whose value is strictly above u (values ascending). */
function firstAbove(values: AscendingValues, u: number, from: number): number {
  let lo = from;
  while (lo < values.size && !(values.at(lo) > u)) {
    lo++;
  }
  return lo;
}

/** Decades of rarity of x under a fitted tail (0 at or below the anchor), at most the cap. */
export function tailDecades(fit: TailFit, x: number): number {
  if (!(x > fit.anchor)) {
    return 0;
  }
  if (!(fit.sigma > 0)) {
    return fit.cap; // above a flat top: unprecedented
  }
  const d = fit.anchorDecades + gpdDecades(x - fit.anchor, fit.xi, fit.sigma);
  return d < fit.cap ? d : fit.cap;
}

/** −log10 P(Y > y) for a GPD excess Y with shape ξ >= 0 and scale σ. */
function gpdDecades(y: number, xi: number, sigma: number): number {
  const r = y / sigma;
  return xi > 0 ? Math.log10(1 + xi * r) / xi : r / LN10;
}

/** The statistic at which the fitted tail reaches `decades` (inverse of tailDecades). */
export function tailQuantile(fit: TailFit, decades: number): number {
  if (decades >= fit.cap) {
    return Infinity;
  }
  if (!(decades > fit.anchorDecades)) {
    return fit.anchor;
  }
  if (!(fit.sigma > 0)) {
    return fit.anchor;
  }
  const e = decades - fit.anchorDecades;
  const y = fit.xi > 0 ? (Math.pow(10, e * fit.xi) - 1) / fit.xi : e * LN10;
  return fit.anchor + fit.sigma * y;
}

/** Severity of a rarity in decades, for a target at `halfDecades`. */
export function raritySeverity(decades: number, halfDecades: number): number {
  if (decades !== decades) {
    return NaN;
  }
  return rampSeverity(decades, halfDecades - SEVERITY_HALF_WIDTH_DECADES, halfDecades + SEVERITY_HALF_WIDTH_DECADES);
}

/** Decades of rarity at which the severity equals s (inverse of raritySeverity on (0, 1)). */
export function severityDecades(s: number, halfDecades: number): number {
  const lo = halfDecades - SEVERITY_HALF_WIDTH_DECADES;
  return lo + inverseSmoothstep(Math.min(1, Math.max(0, s))) * 2 * SEVERITY_HALF_WIDTH_DECADES;
}

/**
 * The streaming calibrator of one statistic. Per point: `advance(t)`, `decades(x, refDecades)` (NaN
 * while warming up), then `observe(x, severity)`.
 *
 * What enters the history (each block's maximum over all its points):
 * - a block below the tail's threshold u and without an alarm enters as it closes;
 * - consecutive blocks above u or with an alarm (a point at severity >= 0.5) form an episode, held
 *   back while it lasts, so the fit does not move under a condition that is going on: a slow drift
 *   or a calibration decay would otherwise teach the history its own rise, block by block, before
 *   it ever reached the alarm level, and the tier would not hold while the condition lasts;
 * - an episode that never reached an alarm enters when it ends (ordinary high noise), or once it has
 *   lasted ELEVATED_NORMAL_MS (3 hours) without one (a weekly high phase, a slow wander): a rise is
 *   held for long enough to become an alarm, not for ever;
 * - an episode that did is kept out (SPOT keeps alarms out of its history for the same reason,
 *   Siffer et al. 2017), so a second incident of the same kind that week is still rare; but when a
 *   third alarm episode ends inside the history window, alarms at that level are evidently not rare
 *   for this series (a late batch job now and then, a quantised value reached now and then) and all
 *   the kept-out episodes enter;
 * - an episode that lasts NEW_NORMAL_MS (a day) is the new normal: its blocks enter from then on,
 *   and it fades as the history learns it.
 */
export class RarityCalibrator {
  /** Severity 0.5 at this many decades (log10 of the target in blocks). */
  readonly halfDecades: number;
  /** Points per block: converts a per-point ideal tail to blocks. */
  private readonly perBlockDecades: number;
  private readonly blockMs: number;
  private readonly capacity: number;
  private readonly history: SortedWindow;
  private readonly ring: Float64Array;
  private ringPos = 0;
  private block = NaN;
  /** The current block: its maximum and whether any of its points was an alarm. */
  private blockMax = -Infinity;
  private blockAlarm = false;
  /** The block maxima of the episode going on (blocks above the threshold or alarms), held back. */
  private readonly held: number[] = [];
  /** Whether the episode going on has an alarm block. */
  private heldAlarm = false;
  /** Consecutive episode blocks so far. */
  private run = 0;
  /** Blocks closed so far (the clock the kept-out episodes age by). */
  private closed = 0;
  /** Alarm episodes kept out of the history, while they are inside its window. */
  private readonly excluded: Array<{ closedAt: number; values: number[] }> = [];
  private readonly newNormalBlocks: number;
  private readonly elevatedBlocks: number;
  private fit: TailFit | null = null;
  private onsetStat = NaN;
  private readonly excludeAt: number;
  private readonly extrapolation: number;

  constructor(cfg: RarityConfig) {
    const effective = Math.max(cfg.blockMs, cfg.stepMs);
    this.blockMs = effective;
    this.capacity = Math.max(MIN_HISTORY_BLOCKS, Math.ceil(cfg.historyMs / effective));
    this.history = new SortedWindow(this.capacity);
    this.ring = new Float64Array(this.capacity).fill(NaN);
    this.halfDecades = Math.log10(Math.max(1, cfg.rarityMs / effective));
    this.perBlockDecades = Math.log10(Math.max(1, cfg.blockMs / cfg.stepMs));
    this.excludeAt = cfg.excludeAlarms === false ? Infinity : EXCLUDE_SEVERITY;
    this.newNormalBlocks = Math.max(1, Math.round(NEW_NORMAL_MS / effective));
    this.elevatedBlocks = Math.max(1, Math.round(ELEVATED_NORMAL_MS / effective));
    // A full history may always claim what severity 1 needs (a target rarer than the history itself
    // is extrapolation by construction; the ideal model must agree); a young one less.
    this.extrapolation = Math.max(
      EXTRAPOLATION_DECADES,
      this.halfDecades + SEVERITY_HALF_WIDTH_DECADES - Math.log10(this.capacity)
    );
  }

  /** Blocks of history so far. */
  get blocks(): number {
    return this.history.size;
  }

  /** The current tail fit (null while warming up). */
  get tail(): TailFit | null {
    return this.fit;
  }

  /**
   * Decades of rarity of x: min(empirical tail, ideal tail `refDecades` given per point); NaN while
   * the history holds fewer than MIN_HISTORY_BLOCKS blocks.
   */
  decades(x: number, refDecades: number): number {
    const fit = this.fit;
    if (!fit) {
      return NaN;
    }
    let emp = tailDecades(fit, x);
    // Inside the range the history has seen, never rarer than its observed frequency there.
    const atOrAbove = this.history.size - this.history.lowerBound(x);
    if (atOrAbove > 0) {
      const observed = Math.log10(this.history.size / atOrAbove);
      emp = observed < emp ? observed : emp;
    }
    const refBlock = refDecades - this.perBlockDecades;
    const ref = refBlock > 0 ? refBlock : refBlock === refBlock ? 0 : Infinity;
    return emp < ref ? emp : ref;
  }

  severity(decades: number): number {
    return raritySeverity(decades, this.halfDecades);
  }

  /** The empirical tail's statistic at `decades` (Infinity beyond the cap, NaN while warming up). */
  empiricalQuantile(decades: number): number {
    return this.fit ? tailQuantile(this.fit, decades) : NaN;
  }

  /** Decades (per block) at which severity starts rising above 0. */
  get onsetDecades(): number {
    return this.halfDecades - SEVERITY_HALF_WIDTH_DECADES;
  }

  /** The same onset in per-point decades (for a kind's ideal tail, which is per point). */
  get onsetPointDecades(): number {
    return this.onsetDecades + this.perBlockDecades;
  }

  /** The empirical statistic where severity starts rising (refitted with the tail). */
  get onsetEmpirical(): number {
    return this.onsetStat;
  }

  /**
   * Move to the block of time t: when t starts a new block, the previous block closes (see the class
   * comment) and the tail is refitted. Call before `decades` for each point.
   */
  advance(t: number): void {
    const block = Math.floor(t / this.blockMs);
    if (block !== this.block) {
      this.closeBlock();
      this.block = block;
    }
  }

  /** A judged point of the current block. */
  observe(x: number, severity: number): void {
    if (x === x && x > this.blockMax) {
      this.blockMax = x;
    }
    if (severity >= this.excludeAt) {
      this.blockAlarm = true;
    }
  }

  private closeBlock(): void {
    const x = this.blockMax;
    const alarm = this.blockAlarm;
    this.blockMax = -Infinity;
    this.blockAlarm = false;
    if (!(x > -Infinity) || x === Infinity) {
      return; // no judged point in the block: nothing to learn, and the episode is not broken
    }
    this.closed++;
    const elevated = alarm || (this.fit !== null && x > this.fit.anchor);
    if (!elevated) {
      this.endEpisode();
      this.learn(x);
      return;
    }
    this.run++;
    this.heldAlarm = this.heldAlarm || alarm;
    if (this.run > (this.heldAlarm ? this.newNormalBlocks : this.elevatedBlocks)) {
      // The new normal: a day of an alarm, or hours above the threshold that never became one (a
      // weekly high phase, a slow wander); learnt from now on.
      this.releaseHeld();
      this.learn(x);
    } else {
      this.held.push(x);
    }
  }

  /** The episode (if any) is over: learnt, or kept out as an alarm episode (see the class comment). */
  private endEpisode(): void {
    if (this.held.length > 0) {
      if (!this.heldAlarm) {
        this.releaseHeld(); // above the threshold but never an alarm: ordinary high noise
      } else {
        this.excluded.push({ closedAt: this.closed, values: this.held.splice(0) });
      }
    }
    this.held.length = 0;
    this.heldAlarm = false;
    this.run = 0;
    // Alarm episodes older than the history leave with it, never learnt.
    while (this.excluded.length > 0 && this.closed - this.excluded[0].closedAt >= this.capacity) {
      this.excluded.shift();
    }
    if (this.excluded.length > MAX_EXCLUDED_EPISODES) {
      // Alarms this often are not rare here: the history learns all of them.
      for (const e of this.excluded) {
        e.values.forEach((v) => this.learn(v));
      }
      this.excluded.length = 0;
    }
  }

  private releaseHeld(): void {
    for (const h of this.held) {
      this.learn(h);
    }
    this.held.length = 0;
  }

  /** A block maximum enters the history; the tail is refitted. */
  private learn(x: number): void {
    const old = this.ring[this.ringPos];
    this.ring[this.ringPos] = x;
    this.ringPos = this.ringPos + 1 === this.capacity ? 0 : this.ringPos + 1;
    if (old === old) {
      this.history.replace(old, x);
    } else {
      this.history.insert(x);
    }
    const n = this.history.size;
    // A young history extrapolates less: the allowance grows with the square root of its fill.
    const allowance = this.extrapolation * Math.pow(Math.min(1, n / this.capacity), YOUNG_EXPONENT);
    this.fit = n >= MIN_HISTORY_BLOCKS ? fitTail(this.history, allowance) : null;
    this.onsetStat = this.fit ? tailQuantile(this.fit, this.onsetDecades) : NaN;
  }
}
