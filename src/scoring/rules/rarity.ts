/**
 * The self-calibrating "rarity" severity (signals/rarity.ts) as Prometheus recording rules.
 *
 * The engine, per signal: the directed statistic x; time cut into blocks of B = max(5 min, step);
 * the history = the maxima of x of the last `capacity` blocks learned, an alarm episode learned only
 * when it ends (or after a day); a tail fit (threshold u = the history's (1 − TAIL_FRACTION) order
 * statistic, lowered past ties until 10 blocks exceed it; N exceedances; a generalised Pareto tail by
 * probability-weighted moments); L = min(L_history(x), the observed frequency of values >= x,
 * L_ideal(x) − log10(points per block)), at most log10(n) + e; severity = smoothstep over L50 ± 1.5
 * decades, held at its highest for `hold`. The rules compute the same, in two groups (DESIGN §5,
 * rule groups by cost): the history and the fit once a block, the severity every step.
 *
 * History group, every B (`anomaly-score:<spec>:rarity`; the step group itself when B = step):
 *   block_max        max_over_time(x[B] offset step/2): the block just closed (its B/step points)
 *   block_alarm      max_over_time(severity_raw[B] offset step/2) >= bool 0.5 (0 when none judged)
 *   block_elevated   1 when the block is above the anchor of the fit in force before it, or an alarm
 *                    (the engine's episode blocks)
 *   block_calm_time  time(), for a block that is not elevated;  block_alarm_time  time(), for an alarm
 *   fit_frozen       1 while an episode goes on (the newest block is elevated) and is younger, since
 *                    the last calm block, than a day if it has an alarm, 3 hours if not (the engine
 *                    holds the episode back that long, then learns it); 0 otherwise
 *   block_kept_out   fit_frozen for a block of an alarm episode: the engine keeps it out of the history
 *   block_episode_end 1 at the first calm block after a kept-out one (an alarm episode ended)
 *   block_recurring  1 when more than MAX_EXCLUDED_EPISODES alarm episodes ended inside W
 *   The history H is block_max over the last W = capacity blocks, less the kept-out blocks, unless
 *   more than MAX_EXCLUDED_EPISODES alarm episodes ended inside W (then alarms at that level recur
 *   and the engine learns them all): H = block_max unless (block_kept_out == 1 unless block_recurring @ end() == 1),
 *   read as a subquery [W:B]. While an episode goes on the engine learns nothing, so its fit is the
 *   one of the last calm block: fit_* keeps its own previous value (fit_frozen); a calm episode
 *   enters when it ends (its blocks are in the window). NAMED APPROXIMATION "kept out from the
 *   first alarm block": the engine keeps an alarm episode's blocks out from its first elevated block,
 *   the rules from its first alarm block (a block cannot be relabelled once recorded), and after the
 *   release the engine starts counting again while the rules keep all alarm episodes of W in. The
 *   window is in time, the engine's ring in learned blocks: the same blocks unless blocks without
 *   any judged point (gaps) or kept-out blocks lie in the window.
 *   tail_blocks      n = count_over_time(H[W:B]) (from MIN_HISTORY_BLOCKS on)
 *   tail_quantile    q = quantile_over_time(1 − TAIL_FRACTION, H[W:B]) (interpolated at rank
 *                    φ(n − 1), φ = 1 − TAIL_FRACTION)
 *   tail_anchor_l0   u₀ = max_over_time((H <= q @ end())[W:B]): the engine's order statistic
 *                    at rank floor(φ(n − 1)) exactly (the largest value not above q)
 *   tail_exceedances_l0  N₀ = count_over_time((H > u₀ @ end())[W:B])
 *   tail_anchor_lk   u_k = the next distinct value below u_{k−1} when N_{k−1} < 10, else u_{k−1}: the
 *                    engine lowers the threshold past ties one distinct value at a time until 10
 *                    blocks exceed it. NAMED APPROXIMATION "ties lowered TIE_LEVELS values deep": the
 *                    rules take at most TIE_LEVELS steps (a pinned subquery pair each), the engine as
 *                    many as it needs; they differ only when more are needed: a history of fewer than
 *                    about 10/TAIL_FRACTION blocks (a signal's first hours) or a statistic tied on more
 *                    than TIE_LEVELS distinct values at the top.
 *   tail_anchor, tail_exceedances   u and N: the last level
 *   E                = H > u @ end()                                         (the exceedances)
 *   tail_mean_excess a0 = avg_over_time(E[W:B]) − u
 *   tail_pwm         a1. The engine's PWM a1 = (1/N)·Σ_j y_(j)(N − j)/(N − 1) weighs the excesses
 *                    by rank, and PromQL has no ranks. NAMED APPROXIMATION "PWM by quadrature": with
 *                    Q(p) the interpolated quantile function of the excesses (quantile_over_time,
 *                    rank p(N − 1): it passes through every y_(j)), the engine's sum is
 *                    (1/N)·Σ_r Q(p_r)(1 − p_r), p_r = r/(N − 1), the trapezoid rule for ∫Q(p)(1 − p)dp,
 *                    so a1 ≈ ((N − 1)/N)·(1/M)·Σ_k Q(p_k)(1 − p_k) + y_(1)/(2N) with M midpoints
 *                    p_k = (k + ½)/M (QUADRATURE_NODES): M of the N order statistics stand for all
 *                    of them. docs/alerting.md has its measured effect.
 *   tail_shape       ξ = (r − 2)/(r − 1), r = a0/(2·a1), clamped to [0, 0.9] (0 when r <= 1, N < 10
 *                    or a1 <= 0), as the engine;  tail_scale  σ = a0·(1 − ξ)
 *   tail_anchor_decades log10(n / N) (log10 n when N = 0); tail_cap log10(n) + e, e = max(3, L50 + 1.5
 *                    − log10(capacity)) (the engine's extrapolation allowance)
 *   tail_top_lk, tail_top_count_lk   the k-th largest distinct value of the window and how many
 *                    values are at or above it, k = 1..K: the engine bounds L by the observed
 *                    frequency log10(n / #{values >= x}) for every x; below the K-th value that bound
 *                    is at most log10(capacity/K), which K = ceil(capacity / 10^(L50 − 1.5)) puts at
 *                    or below the severity onset, so the K values give the engine's severity
 *                    exactly (the decades below the onset may read higher than the engine's). K is
 *                    at most MAX_OBSERVED_LEVELS (a named approximation above that).
 *   fit_*            the fit the step group uses: tail_* when fit_frozen is 0, else its own previous
 *                    value.
 *
 * Step group, every step (the fit read with last_over_time over two blocks):
 *   directed         x, the statistic whose rarity is judged (per kind, see compile.ts)
 *   ideal_decades    max(0, L_ideal(x) − log10(B₀/step)), B₀ = 5 min (the engine's per-block conversion)
 *   empirical_decades 0 for x <= u; else min(cap, log10(n/N) + log10(1 + ξ(x − u)/σ)/ξ) (at ξ = 0
 *                    log10(n/N) + (x − u)/(σ ln 10); the cap when nothing exceeds u: a flat top),
 *                    then at most log10(n / count_k) for top_{k+1} < x <= top_k
 *   decades          min(empirical, ideal);  severity_raw  smoothstep over L50 ± 1.5 decades
 *   severity         max_over_time(severity_raw[hold]) while severity_raw exists (the engine's hold)
 *
 * The history group reads the severities the step group wrote, which read the fit the history
 * group wrote: the engine's recursion (which blocks are alarms depends on the fit, which depends on
 * which blocks were alarms) goes through the TSDB, one block behind, as in the engine. A ruler
 * evaluates that in time order; range-query backfills (`promtool tsdb create-blocks-from rules`)
 * cannot, and `@ end()` needs instant queries anyway: `npm run rules:parity` evaluates these rules
 * block by block the way a ruler does.
 */
import {
  EXCLUDE_SEVERITY,
  EXTRAPOLATION_DECADES,
  MIN_EXCEEDANCES_FOR_SHAPE,
  MIN_HISTORY_BLOCKS,
  NEW_NORMAL_MS,
  ELEVATED_NORMAL_MS,
  MAX_EXCLUDED_EPISODES,
  SEVERITY_HALF_WIDTH_DECADES,
  TAIL_FRACTION,
  XI_MAX,
  DEFAULT_BLOCK,
  type AscendingValues,
  type TailFit,
} from '../signals/rarity';
import { durationToMs } from '../util/duration';
import { dur, num, ramp, vmin } from './promql';

/** Midpoints of the quadrature that stands in for the PWM's rank weights (see the file comment). */
export const QUADRATURE_NODES = 16;
/** How many distinct values the rules lower the threshold past ties (see the file comment). */
export const TIE_LEVELS = 2;
/** At most this many top values bound the rarity by their observed frequency (see the file comment). */
export const MAX_OBSERVED_LEVELS = 8;

/** The engine's block before the step is taken into account (5 min). */
const BASE_BLOCK_MS = durationToMs(DEFAULT_BLOCK);
const LN10 = Math.LN10;

/** How the rarity of one signal is laid out: the engine's RarityCalibrator constructor, and K. */
export interface RarityPlan {
  stepMs: number;
  /** The block: max(5 min, step); the history group's interval. */
  blockMs: number;
  /** Blocks of history (the window). */
  capacity: number;
  /** L50 = log10(rarity / block): severity 0.5 at this many decades. */
  halfDecades: number;
  /** log10(points per 5-minute block): the per-point ideal tail in blocks. */
  perBlockDecades: number;
  /** An alarm episode longer than this many blocks is the new normal. */
  newNormalBlocks: number;
  /** An episode without alarm longer than this many blocks is learnt (the engine's elevated normal). */
  elevatedNormalBlocks: number;
  /** Decades the fit may claim beyond log10(n). */
  extrapolation: number;
  /** Top values whose observed frequency bounds the rarity (K, see the file comment). */
  observedLevels: number;
  /** Whether K had to be capped at MAX_OBSERVED_LEVELS (then below the K-th value it is approximate). */
  observedCapped: boolean;
  /** Rolling-maximum hold of the severity (ms, 0: none). */
  holdMs: number;
}

export function rarityPlan(stepMs: number, rarityMs: number, rarityWindowMs: number, holdMs: number): RarityPlan {
  const blockMs = Math.max(BASE_BLOCK_MS, stepMs);
  const capacity = Math.max(MIN_HISTORY_BLOCKS, Math.ceil(rarityWindowMs / blockMs));
  const halfDecades = Math.log10(Math.max(1, rarityMs / blockMs));
  const onset = halfDecades - SEVERITY_HALF_WIDTH_DECADES;
  const needed = Math.ceil(capacity / Math.pow(10, onset));
  return {
    stepMs,
    blockMs,
    capacity,
    halfDecades,
    perBlockDecades: Math.log10(Math.max(1, BASE_BLOCK_MS / stepMs)),
    newNormalBlocks: Math.max(1, Math.round(NEW_NORMAL_MS / blockMs)),
    elevatedNormalBlocks: Math.max(1, Math.round(ELEVATED_NORMAL_MS / blockMs)),
    extrapolation: Math.max(EXTRAPOLATION_DECADES, halfDecades + SEVERITY_HALF_WIDTH_DECADES - Math.log10(capacity)),
    observedLevels: Math.max(1, Math.min(MAX_OBSERVED_LEVELS, needed)),
    observedCapped: needed > MAX_OBSERVED_LEVELS,
    holdMs,
  };
}

// ---------------------------------------------------------------------------------------------
// The compiled estimator, in TypeScript (what the rules compute; for tests and error measurement)
// ---------------------------------------------------------------------------------------------

/** quantile_over_time's definition: linear interpolation at rank p·(count − 1) of ascending values. */
export function promQuantile(values: AscendingValues, p: number, offset = 0, count = values.size - offset): number {
  if (count <= 0) {
    return NaN;
  }
  const rank = p * (count - 1);
  const lo = Math.floor(rank);
  const hi = lo + 1 < count ? lo + 1 : lo;
  const w = rank - lo;
  return values.at(offset + lo) * (1 - w) + values.at(offset + hi) * w;
}

/**
 * The tail the rules fit to ascending history values: the engine's fitTail with the threshold
 * lowered past ties at most TIE_LEVELS values deep and the PWM a1 taken by quadrature (see the
 * file comment); everything else (order statistic, exceedances, mean excess, clamps) is the engine's.
 */
export function compiledTailFit(values: AscendingValues, extrapolation = EXTRAPOLATION_DECADES): TailFit {
  const n = values.size;
  const cap = Math.log10(Math.max(1, n)) + extrapolation;
  const q = promQuantile(values, 1 - TAIL_FRACTION);
  let u = values.at(0);
  for (let i = 0; i < n && values.at(i) <= q; i++) {
    u = values.at(i); // the largest value not above q: the order statistic at floor(φ(n − 1))
  }
  let lo = firstAbove(values, u);
  for (let level = 1; level <= TIE_LEVELS && n - lo < MIN_EXCEEDANCES_FOR_SHAPE; level++) {
    let below = -1;
    for (let i = 0; i < n && values.at(i) < u; i++) {
      below = i;
    }
    if (below < 0) {
      break; // nothing lower: the engine stops here too
    }
    u = values.at(below);
    lo = firstAbove(values, u);
  }
  const count = n - lo;
  if (count === 0) {
    return { n, exceedances: 0, anchor: u, anchorDecades: Math.log10(n), xi: 0, sigma: NaN, cap };
  }
  let a0 = 0;
  for (let j = lo; j < n; j++) {
    a0 += values.at(j) - u;
  }
  a0 /= count;
  const a1 = quadraturePwm(values, lo, count, u);
  let xi = 0;
  if (count >= MIN_EXCEEDANCES_FOR_SHAPE && a1 > 0) {
    const r = a0 / (2 * a1);
    xi = r > 1 ? (r - 2) / (r - 1) : 0;
    xi = xi > XI_MAX ? XI_MAX : xi > 0 ? xi : 0;
  }
  return { n, exceedances: count, anchor: u, anchorDecades: Math.log10(n / count), xi, sigma: a0 * (1 - xi), cap };
}

/** First index whose value is strictly above u (values ascending). */
function firstAbove(values: AscendingValues, u: number): number {
  let lo = 0;
  while (lo < values.size && !(values.at(lo) > u)) {
    lo++;
  }
  return lo;
}

/** Quadrature nodes p_k and weights (1 − p_k)/M of the PWM a1. */
export function quadratureNodes(m = QUADRATURE_NODES): Array<{ p: number; w: number }> {
  return Array.from({ length: m }, (_, k) => {
    const p = (k + 0.5) / m;
    return { p, w: (1 - p) / m };
  });
}

/** a1 of the excesses values[lo..lo+count) − u by quadrature (see the file comment). */
function quadraturePwm(values: AscendingValues, lo: number, count: number, u: number): number {
  let s = 0;
  for (const { p, w } of quadratureNodes()) {
    s += w * (promQuantile(values, p, lo, count) - u);
  }
  return (s * (count - 1)) / count + (values.at(lo) - u) / (2 * count);
}

/**
 * The rules' empirical decades of x against ascending history values (compiledTailFit and the
 * observed-frequency bound over the top `levels` distinct values): the TypeScript twin of
 * empirical_decades.
 */
export function compiledEmpiricalDecades(values: AscendingValues, x: number, plan: RarityPlan): number {
  const fit = compiledTailFit(values, plan.extrapolation);
  let emp: number;
  if (!(x > fit.anchor)) {
    emp = 0;
  } else if (!(fit.sigma > 0)) {
    emp = fit.cap;
  } else {
    const r = (x - fit.anchor) / fit.sigma;
    const d = fit.anchorDecades + (fit.xi > 0 ? Math.log10(1 + fit.xi * r) / fit.xi : r / LN10);
    emp = d < fit.cap ? d : fit.cap;
  }
  // The k-th largest distinct values and the count at or above each.
  const n = values.size;
  let i = n - 1;
  for (let level = 1; level <= plan.observedLevels && i >= 0; level++) {
    const top = values.at(i);
    while (i >= 0 && values.at(i) === top) {
      i--;
    }
    const atOrAbove = n - 1 - i;
    const next = i >= 0 ? values.at(i) : -Infinity;
    if (x <= top && (x > next || level === plan.observedLevels)) {
      const observed = Math.log10(n / atOrAbove);
      return observed < emp ? observed : emp;
    }
  }
  return emp;
}

// ---------------------------------------------------------------------------------------------
// Ideal models in PromQL
// ---------------------------------------------------------------------------------------------

/**
 * ln erfc(a) = ln t − a² + P(t), t = 1/(1 + a/2), a >= 0: the Chebyshev fit of Numerical Recipes
 * (`erfcc`), the engine's util/normalTail.ts (fractional error < 1.2e-7); coefficients of P in
 * ascending powers of t.
 */
export const ERFC_COEFFICIENTS = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
  0.17087277,
] as const;

/** −log10 P(Z > |z|) written for an expression that is |z| (>= 0). */
function upperTailDecadesOfAbs(absZ: string): string {
  const a = `(${absZ} / ${num(Math.SQRT2)})`;
  const t = `(1 / (1 + 0.5 * ${a}))`;
  let poly = num(ERFC_COEFFICIENTS[ERFC_COEFFICIENTS.length - 1]);
  for (let i = ERFC_COEFFICIENTS.length - 2; i >= 0; i--) {
    poly = `${num(ERFC_COEFFICIENTS[i])} + ${t} * (${poly})`;
  }
  // −(ln ½ + ln erfc a)/ln 10.
  return `((${num(Math.LN2)} - (ln(${t}) - ${a} ^ 2 + (${poly}))) / ${num(LN10)})`;
}

/** The engine's normalTailDecades(z) = −log10 P(Z > z) for any z (an expression). */
export function normalTailDecadesExpr(z: string): string {
  const d = upperTailDecadesOfAbs(`abs(${z})`);
  // z < 0: P(Z > z) = 1 − P(Z > |z|).
  return `((${d} and (${z}) >= 0) or (-log10(1 - 10 ^ (-${d})) and (${z}) < 0))`;
}

/** twoSidedNormalTailDecades(z) = max(0, −log10 P(|Z| > |z|)). */
export function twoSidedNormalTailDecadesExpr(z: string): string {
  return `clamp_min(${upperTailDecadesOfAbs(`abs(${z})`)} - ${num(Math.log10(2))}, 0)`;
}

/**
 * The Wilson–Hilferty normal deviate of a χ²_k value v (the engine's chiSquareTailDecades):
 * ((v/k)^(1/3) − (1 − 2/(9k))) / sqrt(2/(9k)), for v > 0 (no sample otherwise: 0 decades).
 */
export function wilsonHilfertyExpr(v: string, k: string): string {
  const c = `(2 / (9 * ${k}))`;
  return `((((${v}) / ${k}) ^ (1 / 3) - (1 - ${c})) / sqrt(${c}) and (${v}) > 0)`;
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

/** Where rules go: the signal's step-group list, and the history group (or the same list). */
export interface RaritySink {
  /** Records a step-group rule; returns the selector of the recorded series. */
  record(name: string, expr: string): string;
  /** Records a history-group rule; returns the selector. */
  recordHistory(name: string, expr: string): string;
  /** The selector of a recorded series of this signal (to read it before it is recorded, or again). */
  sel(name: string): string;
}

export const RARITY_SERIES = {
  directed: 'anomaly:signal:directed',
  idealZ: 'anomaly:signal:ideal_z',
  idealDecades: 'anomaly:signal:ideal_decades',
  empiricalDecades: 'anomaly:signal:empirical_decades',
  decades: 'anomaly:signal:decades',
  severityRaw: 'anomaly:signal:severity_raw',
  blockMax: 'anomaly:signal:block_max',
  blockAlarm: 'anomaly:signal:block_alarm',
  blockElevated: 'anomaly:signal:block_elevated',
  blockCalmTime: 'anomaly:signal:block_calm_time',
  blockAlarmTime: 'anomaly:signal:block_alarm_time',
  blockKeptOut: 'anomaly:signal:block_kept_out',
  blockEpisodeEnd: 'anomaly:signal:block_episode_end',
  blockRecurring: 'anomaly:signal:block_recurring',
  fitFrozen: 'anomaly:signal:fit_frozen',
  tailBlocks: 'anomaly:signal:tail_blocks',
  tailQuantile: 'anomaly:signal:tail_quantile',
  tailAnchorLevel: (level: number) => `anomaly:signal:tail_anchor_l${level}`,
  tailExceedancesLevel: (level: number) => `anomaly:signal:tail_exceedances_l${level}`,
  tailAnchor: 'anomaly:signal:tail_anchor',
  tailExceedances: 'anomaly:signal:tail_exceedances',
  tailMeanExcess: 'anomaly:signal:tail_mean_excess',
  tailPwm: 'anomaly:signal:tail_pwm',
  tailShape: 'anomaly:signal:tail_shape',
  tailScale: 'anomaly:signal:tail_scale',
  tailAnchorDecades: 'anomaly:signal:tail_anchor_decades',
  tailCap: 'anomaly:signal:tail_cap',
  tailTop: (level: number) => `anomaly:signal:tail_top_l${level}`,
  tailTopCount: (level: number) => `anomaly:signal:tail_top_count_l${level}`,
  /** The fit in force: a tail_* series, frozen while an episode goes on (see fit_frozen). */
  fit: (tailName: string) => tailName.replace('anomaly:signal:tail_', 'anomaly:signal:fit_'),
} as const;

/** The ideal model of a kind, as the compiler hands it over. */
export type IdealModel =
  /** −log10 P(Z > z) of an expression z (one-sided normal; z may be negative). */
  | { type: 'normal'; z: string }
  /** max(0, −log10 P(|Z| > |z|)). */
  | { type: 'two-sided-normal'; z: string }
  /** Infinitely rare from `minimum` on, 0 below it (staleness: the history alone judges). */
  | { type: 'from'; minimum: number };

/**
 * The history group and the severity of a rarity signal whose directed statistic is recorded as
 * `x` (a selector). Returns the selector of severity_raw; the caller records the held severity.
 */
export function compileRaritySeverity(sink: RaritySink, plan: RarityPlan, x: string, ideal: IdealModel): string {
  const S = RARITY_SERIES;
  const { blockMs, stepMs } = plan;
  const half = dur(stepMs / 2);
  const B = dur(blockMs);
  // A window that holds exactly `capacity` samples of a series recorded every block.
  const W = dur(plan.capacity * blockMs - blockMs / 2);
  const sub = `[${W}:${B}]`;
  const h = (name: string, expr: string) => sink.recordHistory(name, expr);

  // --- the history group: the block just closed ---
  const bm = h(S.blockMax, `max_over_time(${x}[${B}] offset ${half}) < +Inf`);
  const alarm = h(
    S.blockAlarm,
    `(max_over_time(${sink.sel(S.severityRaw)}[${B}] offset ${half}) >= bool ${num(EXCLUDE_SEVERITY)}) and ${bm} or 0 * ${bm}`
  );
  // The fit in force before this block (the anchor the engine compares the block with).
  const prevAnchor = `last_over_time(${sink.sel(S.fit(S.tailAnchor))}[${dur(2 * blockMs)}])`;
  const elevated = h(S.blockElevated, `clamp_max(((${bm} > bool ${prevAnchor}) or 0 * ${bm}) + ${alarm}, 1)`);
  const calm = h(S.blockCalmTime, `(0 * ${bm} + time()) and (${elevated} == 0)`);
  const alarmTime = h(S.blockAlarmTime, `(0 * ${bm} + time()) and (${alarm} == 1)`);
  const lastElevated = `last_over_time(${elevated}[${W}])`;
  const lastCalm = `max_over_time(${calm}[${W}])`;
  const age = `(time() - ${lastCalm})`;
  const hasAlarm = `((max_over_time(${alarmTime}[${W}]) > bool ${lastCalm}) or 0 * ${lastCalm})`;
  const newNormalS = (plan.newNormalBlocks * blockMs) / 1000;
  const elevatedNormalS = (plan.elevatedNormalBlocks * blockMs) / 1000;
  const frozen = h(
    S.fitFrozen,
    `(${lastElevated} == bool 1) * (((${age} <= bool ${num(newNormalS)}) * ${hasAlarm})` +
      ` + ((${age} <= bool ${num(elevatedNormalS)}) * (1 - ${hasAlarm}))) or 0 * ${lastElevated}`
  );
  // A block of an alarm episode that is not (yet) the new normal stays out of the window.
  const keptOut = h(S.blockKeptOut, `(${frozen} * ${hasAlarm}) or 0 * ${frozen}`);
  const episodeEnd = h(
    S.blockEpisodeEnd,
    `(0 * ${bm} + 1) and (${elevated} == 0) and (last_over_time(${keptOut}[${dur(2 * blockMs)}] offset ${B}) == 1)`
  );
  const recurring = h(
    S.blockRecurring,
    `(count_over_time(${episodeEnd}[${W}]) > bool ${num(MAX_EXCLUDED_EPISODES)}) or 0 * ${bm}`
  );
  // The engine's history: every block of the window except those kept out, unless alarm episodes
  // recur (more than MAX_EXCLUDED_EPISODES ended in the window), when all of them are in.
  const hist = `(${bm} unless ((${keptOut} == 1) unless (${recurring} @ end() == 1)))`;

  // --- the tail of the window ---
  const win = `${hist}${sub}`;
  const n = h(S.tailBlocks, `count_over_time(${win}) >= ${num(MIN_HISTORY_BLOCKS)}`);
  const q = h(S.tailQuantile, `quantile_over_time(${num(1 - TAIL_FRACTION)}, ${win}) and ${n}`);
  let u = h(S.tailAnchorLevel(0), `max_over_time((${hist} <= ${q} @ end())${sub})`);
  const above = (anchor: string) => `count_over_time((${hist} > ${anchor} @ end())${sub}) or 0 * ${anchor}`;
  let N = h(S.tailExceedancesLevel(0), above(u));
  for (let level = 1; level <= TIE_LEVELS; level++) {
    const last = level === TIE_LEVELS;
    // Too few above: the next distinct value below (none below: stay).
    const lower = `max_over_time((${hist} < ${u} @ end())${sub})`;
    u = h(
      last ? S.tailAnchor : S.tailAnchorLevel(level),
      `(${lower} and (${N} < ${num(MIN_EXCEEDANCES_FOR_SHAPE)})) or ${u}`
    );
    N = h(last ? S.tailExceedances : S.tailExceedancesLevel(level), above(u));
  }
  const exc = `(${hist} > ${u} @ end())${sub}`;
  const a0 = h(S.tailMeanExcess, `avg_over_time(${exc}) - ${u}`);
  const nodes = quadratureNodes();
  const weighted = nodes.map(({ p, w }) => `${num(w)} * quantile_over_time(${num(p)}, ${exc})`).join(' + ');
  const weightSum = nodes.reduce((acc, { w }) => acc + w, 0);
  const a1 = h(
    S.tailPwm,
    `(${weighted} - ${num(weightSum)} * ${u}) * (${N} - 1) / ${N} + (min_over_time(${exc}) - ${u}) / (2 * ${N})`
  );
  const r = `(${a0} / (2 * ${a1}))`;
  const xi = h(
    S.tailShape,
    `(clamp((${r} - 2) / (${r} - 1), 0, ${num(XI_MAX)}) and ${r} > 1` +
      ` and (${N} >= ${num(MIN_EXCEEDANCES_FOR_SHAPE)}) and (${a1} > 0)) or 0 * ${a0}`
  );
  h(S.tailScale, `${a0} * (1 - ${xi})`);
  h(S.tailAnchorDecades, `log10(${n} / clamp_min(${N}, 1)) and ${u}`);
  h(S.tailCap, `log10(${n}) + ${num(plan.extrapolation)}`);
  const fitted: string[] = [S.tailAnchor, S.tailBlocks, S.tailShape, S.tailScale, S.tailAnchorDecades, S.tailCap];
  // The top distinct values and the counts at or above them.
  let top = h(S.tailTop(1), `max_over_time(${win}) and ${n}`);
  for (let level = 1; level <= plan.observedLevels; level++) {
    if (level > 1) {
      top = h(S.tailTop(level), `max_over_time((${hist} < ${top} @ end())${sub})`);
    }
    h(S.tailTopCount(level), `count_over_time((${hist} >= ${top} @ end())${sub})`);
    fitted.push(S.tailTop(level), S.tailTopCount(level));
  }
  // The fit in force: frozen while an episode goes on (the engine learns nothing then).
  for (const name of fitted) {
    const own = S.fit(name);
    h(
      own,
      `(${sink.sel(name)} and ${frozen} == 0) or (last_over_time(${sink.sel(own)}[${dur(2 * blockMs)}]) and ${frozen} == 1)`
    );
  }

  // --- the step group ---
  const fit = (name: string) => `last_over_time(${sink.sel(S.fit(name))}[${dur(2 * blockMs)}])`;
  const U = fit(S.tailAnchor);
  const y = `(${x} - ${U})`;
  const shape = fit(S.tailShape);
  const scale = fit(S.tailScale);
  const gpd = `((log10(1 + ${shape} * ${y} / ${scale}) / ${shape} and ${shape} > 0) or ${y} / (${scale} * ${num(LN10)}))`;
  // At or below the anchor: 0. Above: the GPD tail, at most the cap (also when nothing exceeds the
  // anchor, where the scale is missing: a flat top, anything higher is unprecedented).
  const tail = `(0 * ${x} and ${x} <= ${U}) or (${vmin(`${fit(S.tailAnchorDecades)} + ${gpd}`, fit(S.tailCap))} and ${x})`;
  const observed: string[] = [];
  for (let level = 1; level <= plan.observedLevels; level++) {
    // Above the next distinct value (or there is none): count_level values are at or above x.
    const next = fit(S.tailTop(level + 1));
    const below = level < plan.observedLevels ? ` and ((${x} > ${next}) or (${x} unless ${next}))` : '';
    observed.push(
      `(log10(${fit(S.tailBlocks)} / ${fit(S.tailTopCount(level))}) and ${x} <= ${fit(S.tailTop(level))}${below})`
    );
  }
  // Never rarer than the observed frequency of values at or above x (no bound above the maximum).
  const emp = sink.record(S.empiricalDecades, vmin(`(${observed.join(' or ')})`, `(${tail})`));
  let decades: string;
  if (ideal.type === 'from') {
    decades = sink.record(S.decades, `(0 * ${emp} and ${x} < ${num(ideal.minimum)}) or ${emp}`);
  } else {
    const perPoint = ideal.type === 'normal' ? normalTailDecadesExpr(ideal.z) : twoSidedNormalTailDecadesExpr(ideal.z);
    const idealDecades = sink.record(
      S.idealDecades,
      `clamp_min(${perPoint} - ${num(plan.perBlockDecades)}, 0) or 0 * ${x}`
    );
    decades = sink.record(S.decades, `(${emp} < ${idealDecades}) or (${idealDecades} and ${emp})`);
  }
  return sink.record(
    S.severityRaw,
    ramp(decades, plan.halfDecades - SEVERITY_HALF_WIDTH_DECADES, plan.halfDecades + SEVERITY_HALF_WIDTH_DECADES)
  );
}

/**
 * The engine's severity hold: the highest raw severity judged in (t − hold, t], while the point is
 * judged. `(t − hold, t]` holds ceil(hold/step) samples; the range below holds exactly those.
 */
export function holdSeverityExpr(raw: string, holdMs: number, stepMs: number): string {
  const points = Math.ceil(holdMs / stepMs);
  if (!(points > 1)) {
    return raw;
  }
  return `max_over_time(${raw}[${dur(points * stepMs - stepMs / 2)}]) and ${raw}`;
}
