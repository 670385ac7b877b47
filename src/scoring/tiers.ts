/**
 * Layer 2: score -> tier, with hysteresis and a minimum duration, then tier -> playbook action.
 *
 * Rules (tiers indexed as in TIERS: ok 0, watch 1, review 2, critical 3):
 * - Rising: tier k is confirmed once the score has stayed >= cut_k for at least minDuration_k,
 *   measured on timestamps (t_now - t_first >= minDuration; 0 confirms at once). The highest
 *   confirmed tier above the current one wins.
 * - Falling (hysteresis): the current tier is left only when the score drops below its cut minus h;
 *   the tier landed on is the highest k below with score >= cut_k - h, so a fall also passes through
 *   the hysteresis band of the tiers below.
 * - A NaN score carries no information: state and tier are held.
 * - Context (layer 3) acts after the state machine: floors raise the tier, suppression caps it at
 *   'ok'. Neither changes the machine's state, so the tier is right as soon as a window ends.
 *
 * The machine is streaming: feeding the points in any chunking gives identical output.
 */
import { TIERS, type Tier } from './types';

export const TIER_OK = 0;
export const TIER_WATCH = 1;
export const TIER_REVIEW = 2;
export const TIER_CRITICAL = 3;

export interface TierCuts {
  watch: number;
  review: number;
  critical: number;
}

export interface PlaybookEntry {
  action: string;
  owner?: string;
  escalation?: string;
  runbook?: string;
}

export type Playbook = Record<Tier, PlaybookEntry>;

/** Resolved numeric tier configuration (durations in ms). */
export interface TierConfig {
  cuts: TierCuts;
  hysteresis: number;
  /** Minimum duration (ms) before a rise into each tier is confirmed. */
  minDurationMs: TierCuts;
}

export const DEFAULT_CUTS: TierCuts = { watch: 25, review: 50, critical: 75 };

export const DEFAULT_PLAYBOOK: Playbook = {
  ok: { action: 'none' },
  watch: { action: 'observe; retrain candidate' },
  review: { action: 'human review' },
  critical: { action: 'contain: roll back, fail over or take the model out of traffic' },
};

export function tierName(index: number): Tier {
  return TIERS[index] ?? 'ok';
}

export function tierIndex(tier: Tier): number {
  const i = TIERS.indexOf(tier);
  return i < 0 ? TIER_OK : i;
}

export function tierNames(tiers: Uint8Array): Tier[] {
  return Array.from(tiers, tierName);
}

/** cut of tier index k (1..3); ok has no cut. */
export function cutOf(cuts: TierCuts, k: number): number {
  return k === TIER_WATCH
    ? cuts.watch
    : k === TIER_REVIEW
      ? cuts.review
      : k === TIER_CRITICAL
        ? cuts.critical
        : -Infinity;
}

function minDurationOf(config: TierConfig, k: number): number {
  return k === TIER_WATCH
    ? config.minDurationMs.watch
    : k === TIER_REVIEW
      ? config.minDurationMs.review
      : config.minDurationMs.critical;
}

/** Tier from the cuts alone, no hysteresis or duration: highest k with score >= cut_k. */
export function rawTier(score: number, cuts: TierCuts): number {
  if (score >= cuts.critical) {
    return TIER_CRITICAL;
  }
  if (score >= cuts.review) {
    return TIER_REVIEW;
  }
  return score >= cuts.watch ? TIER_WATCH : TIER_OK;
}

/** The score below which tier k is left (its cut minus hysteresis). */
export function exitThreshold(config: TierConfig, k: number): number {
  return cutOf(config.cuts, k) - config.hysteresis;
}

export function playbookFor(tier: Tier | number, playbook: Playbook = DEFAULT_PLAYBOOK): PlaybookEntry {
  const name = typeof tier === 'number' ? tierName(tier) : tier;
  return playbook[name] ?? DEFAULT_PLAYBOOK[name];
}

/** The serialisable state of the machine (handy for tests and checkpoints). */
export interface TierState {
  /** Confirmed tier before context. */
  current: number;
  /** aboveSince[k] (k = 1..3): first time of the current run with score >= cut_k; NaN if none. */
  aboveSince: [number, number, number, number];
}

export function initialTierState(): TierState {
  return { current: TIER_OK, aboveSince: [NaN, NaN, NaN, NaN] };
}

export interface TierStepInput {
  floor?: Uint8Array;
  suppressed?: Uint8Array;
}

export interface TierRunResult {
  /** Effective tier (after floors and suppression), index into TIERS. */
  tier: Uint8Array;
  /** The state machine's own tier before context (for explanations). */
  baseTier: Uint8Array;
}

/**
 * Streaming tier machine. `run` consumes a chunk of (t, score) and returns the tiers of exactly those
 * points; chunking does not change the output.
 */
export class TierMachine {
  private state: TierState;

  constructor(
    private readonly config: TierConfig,
    state: TierState = initialTierState()
  ) {
    this.state = { current: state.current, aboveSince: [...state.aboveSince] as TierState['aboveSince'] };
  }

  getState(): TierState {
    return { current: this.state.current, aboveSince: [...this.state.aboveSince] as TierState['aboveSince'] };
  }

  run(t: Float64Array, score: Float64Array, context: TierStepInput = {}): TierRunResult {
    const n = Math.min(t.length, score.length);
    const tier = new Uint8Array(n);
    const baseTier = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const base = this.step(t[i], score[i]);
      baseTier[i] = base;
      let effective = base;
      const floor = context.floor ? context.floor[i] : 0;
      if (floor > effective) {
        effective = floor;
      }
      if (context.suppressed && context.suppressed[i]) {
        effective = TIER_OK;
      }
      tier[i] = effective;
    }
    return { tier, baseTier };
  }

  /** Advance by one point and return the confirmed (pre-context) tier. */
  step(t: number, score: number): number {
    const st = this.state;
    if (Number.isNaN(score)) {
      return st.current;
    }
    for (let k = TIER_WATCH; k <= TIER_CRITICAL; k++) {
      if (score >= cutOf(this.config.cuts, k)) {
        if (Number.isNaN(st.aboveSince[k])) {
          st.aboveSince[k] = t;
        }
      } else {
        st.aboveSince[k] = NaN;
      }
    }
    // Rise: the highest tier above the current one whose run has lasted long enough.
    for (let k = TIER_CRITICAL; k > st.current; k--) {
      const since = st.aboveSince[k];
      if (!Number.isNaN(since) && t - since >= minDurationOf(this.config, k)) {
        st.current = k;
        return k;
      }
    }
    // Fall with hysteresis: highest tier at or below the current one whose exit threshold holds.
    let k = st.current;
    while (k > TIER_OK && score < exitThreshold(this.config, k)) {
      k--;
    }
    st.current = k;
    return k;
  }
}

/** Batch convenience over the streaming machine. */
export function assignTiers(
  t: Float64Array,
  score: Float64Array,
  config: TierConfig,
  context: TierStepInput = {}
): TierRunResult {
  return new TierMachine(config).run(t, score, context);
}

// ---------------------------------------------------------------------------------------------
// Events: runs of one non-ok tier, for annotations and alerts.
// ---------------------------------------------------------------------------------------------

export interface TierEvent {
  tier: Tier;
  /** Time of the first point in the tier. */
  start: number;
  /** Time of the first point after the run (exclusive end); null while the run is still open. */
  end: number | null;
  /** Highest score during the run and when it was reached. */
  peakScore: number;
  peakTime: number;
  /** The tier it came from. */
  from: Tier;
}

/**
 * Streaming event builder: push chunks of (t, tier, score); closed and open events are available
 * at any time. Chunking does not change the events.
 */
export class TierEventTracker {
  private readonly closed: TierEvent[] = [];
  private open: TierEvent | null = null;
  private previous = TIER_OK;

  push(t: Float64Array, tier: Uint8Array, score: Float64Array): void {
    for (let i = 0; i < tier.length; i++) {
      const k = tier[i];
      if (k !== this.previous) {
        if (this.open) {
          this.open.end = t[i];
          this.closed.push(this.open);
          this.open = null;
        }
        if (k !== TIER_OK) {
          this.open = {
            tier: tierName(k),
            start: t[i],
            end: null,
            peakScore: score[i],
            peakTime: t[i],
            from: tierName(this.previous),
          };
        }
        this.previous = k;
      } else if (this.open && score[i] > this.open.peakScore) {
        this.open.peakScore = score[i];
        this.open.peakTime = t[i];
      }
    }
  }

  /** All events so far, oldest first; the last may be open (end === null). Copies. */
  events(): TierEvent[] {
    const all = this.open ? [...this.closed, this.open] : [...this.closed];
    return all.map((e) => ({ ...e }));
  }

  /**
   * Events that overlap [from, to] (inclusive), copies. Walks the closed events from the newest and
   * stops at the first that ended before `from` (events are in time order), so an incremental append
   * costs what it touches, not the whole history.
   */
  eventsBetween(from: number, to: number): TierEvent[] {
    const hits: TierEvent[] = [];
    if (this.open && this.open.start <= to) {
      hits.push({ ...this.open });
    }
    for (let i = this.closed.length - 1; i >= 0; i--) {
      const e = this.closed[i];
      if (e.end !== null && e.end <= from) {
        break;
      }
      if (e.start <= to) {
        hits.push({ ...e });
      }
    }
    return hits.reverse();
  }
}

/** Batch convenience: the events of a whole series. */
export function tierEvents(t: Float64Array, tier: Uint8Array, score: Float64Array): TierEvent[] {
  const tracker = new TierEventTracker();
  tracker.push(t, tier, score);
  return tracker.events();
}

/**
 * Start time of the run of the same tier that ends at index i (the "since" of a triage row).
 */
export function tierSince(t: Float64Array, tier: Uint8Array, i: number): number {
  let j = i;
  while (j > 0 && tier[j - 1] === tier[i]) {
    j--;
  }
  return t[j];
}
