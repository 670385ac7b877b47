/**
 * The figures of a dry run (issue 11 item 5): from the entity frames the data source returned for
 * the spec being edited, how often each signal ON ITS OWN would put the score at or above the watch
 * and review cuts, how often it had no judgement (missing or warming up), and how often the combined
 * score did. Pure: frames and the effective spec in, numbers out; the editor only displays them.
 *
 * "Alone" means the engine's own composite of that one signal (its weight, the spec's composite
 * method and the entity's context multiplier), so a signal that is noisy here is noisy in the
 * product: for the default evidence method that is 100 (1 - (1 - s)^(m w)).
 */
import type { DataFrame, DataQueryError, Field } from '@grafana/data';
import { DataFrameType } from '@grafana/data';
import { combine, contextSeries, TIERS, type ContextPlan, type ScoreSpec, type Tier } from '../../../../scoring';
import type { ScoreFrameMeta } from '../../../../frames/contract';

/**
 * A signal is flagged noisy when it alone is at or above review on more than this share of its
 * judged entity-steps. 1 % is about 1.7 hours per entity-week: far more than a healthy series should
 * earn by itself (the design's rarity target is about one review per entity-month), and still well
 * below what a real week-long incident on one of twelve entities would produce on a whole fleet.
 */
export const NOISY_REVIEW_SHARE = 0.01;

/** Counts behind the shares, kept so callers (and tests) can check them against the frames. */
export interface TierCounts {
  /** Entity-steps where a judgement existed (the denominator of the shares). */
  judged: number;
  atWatch: number;
  atReview: number;
}

export interface SignalDryRun extends TierCounts {
  id: string;
  name?: string;
  kind: string;
  weight: number;
  /** Entity-steps in the range, over every entity frame. */
  steps: number;
  /** atWatch / judged; NaN when nothing was judged. */
  watchShare: number;
  /** atReview / judged; NaN when nothing was judged. */
  reviewShare: number;
  /** (steps - judged) / steps: no severity because the data was missing or the detector warming up. */
  missingShare: number;
  /** Problems reported for this signal (upstream failures, no series, bad inputs), without repeats. */
  errors: string[];
  noisy: boolean;
}

export interface CombinedDryRun extends TierCounts {
  /** Entity-steps in the range. */
  steps: number;
  /** Combined score >= watch on judged entity-steps (at least one signal judged). */
  watchShare: number;
  reviewShare: number;
  /** Entity-steps where no signal was judged. */
  missingShare: number;
  /** The effective tier (hysteresis, minimum duration, context floors and suppression) over all steps. */
  tierWatchShare: number;
  tierReviewShare: number;
}

export interface DryRunStats {
  entities: number;
  cuts: { watch: number; review: number };
  signals: SignalDryRun[];
  combined: CombinedDryRun;
  /** Problems not tied to one signal. */
  errors: string[];
}

/** `signal <id>: reason` and `signal <id>, entity <key>: reason`, as the pipeline words them. */
const SIGNAL_MESSAGE = /^signal ([a-z][a-z0-9_]*)(?::\s*|,\s*)([\s\S]*)$/;

const share = (part: number, whole: number): number => (whole > 0 ? part / whole : NaN);

function numbersOf(field: Field | undefined, n: number): Float64Array | undefined {
  if (!field) {
    return undefined;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v: unknown = field.values[i];
    out[i] = typeof v === 'number' ? v : NaN; // null (JSON-transported NaN) counts as missing
  }
  return out;
}

function isEntityFrame(frame: DataFrame): boolean {
  return frame.meta?.type === DataFrameType.TimeSeriesWide && frame.fields.some((f) => f.name === 'score');
}

function frameMeta(frame: DataFrame): Partial<ScoreFrameMeta> {
  return (frame.meta?.custom ?? {}) as Partial<ScoreFrameMeta>;
}

function addMessage(target: Map<string, Set<string>>, id: string, message: string): void {
  const set = target.get(id) ?? new Set<string>();
  set.add(message);
  target.set(id, set);
}

/**
 * Dry-run figures of `spec` from the frames and errors of one data source response.
 * `spec` is the effective spec the query ran with (it lists the signals even when an upstream failed
 * and no frame carries them).
 */
export function dryRunStats(
  spec: ScoreSpec,
  frames: readonly DataFrame[],
  responseErrors: readonly DataQueryError[] = []
): DryRunStats {
  const cuts = { watch: spec.tiers.cuts.watch, review: spec.tiers.cuts.review };
  const method = spec.composite.method;
  const watchTier = TIERS.indexOf('watch');
  const reviewTier = TIERS.indexOf('review');
  const perSignal = new Map<string, TierCounts & { steps: number }>(
    spec.signals.map((s) => [s.id, { steps: 0, judged: 0, atWatch: 0, atReview: 0 }])
  );
  const combined = { steps: 0, judged: 0, atWatch: 0, atReview: 0, tierWatch: 0, tierReview: 0 };
  const signalMessages = new Map<string, Set<string>>();
  const general = new Set<string>();

  for (const err of responseErrors) {
    const message = err.message ?? 'query failed';
    const m = SIGNAL_MESSAGE.exec(message);
    if (m && perSignal.has(m[1])) {
      addMessage(signalMessages, m[1], m[2]);
    } else {
      general.add(message);
    }
  }

  const entityFrames = frames.filter(isEntityFrame);
  for (const frame of entityFrames) {
    const byName = new Map(frame.fields.map((f) => [f.name, f]));
    const time = numbersOf(byName.get('Time'), frame.length) ?? new Float64Array(frame.length);
    const n = time.length;
    const meta = frameMeta(frame);
    for (const s of meta.signals ?? []) {
      if (s.state === 'error' && s.message && perSignal.has(s.id)) {
        addMessage(signalMessages, s.id, s.message);
      }
    }
    const plan: ContextPlan | undefined = meta.context;
    const multiplier = plan ? contextSeries(plan, time).multiplier : undefined;

    const judgedAny = new Uint8Array(n);
    for (const signal of spec.signals) {
      const counts = perSignal.get(signal.id)!;
      counts.steps += n;
      const severity = numbersOf(byName.get(`severity:${signal.id}`), n);
      if (!severity) {
        continue; // the engine had no outcome for this signal on this entity: all missing
      }
      const alone = combine([{ id: signal.id, weight: signal.weight, severity }], {
        method,
        ...(multiplier ? { multiplier } : {}),
        scoreOnly: true,
      }).score;
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(severity[i])) {
          continue;
        }
        judgedAny[i] = 1;
        counts.judged++;
        if (alone[i] >= cuts.watch) {
          counts.atWatch++;
        }
        if (alone[i] >= cuts.review) {
          counts.atReview++;
        }
      }
    }

    const score = numbersOf(byName.get('score'), n)!;
    const tier = byName.get('tier');
    combined.steps += n;
    for (let i = 0; i < n; i++) {
      const t = tier ? TIERS.indexOf(tier.values[i] as Tier) : -1;
      if (t >= watchTier) {
        combined.tierWatch++;
      }
      if (t >= reviewTier) {
        combined.tierReview++;
      }
      if (!judgedAny[i]) {
        continue;
      }
      combined.judged++;
      if (score[i] >= cuts.watch) {
        combined.atWatch++;
      }
      if (score[i] >= cuts.review) {
        combined.atReview++;
      }
    }
  }

  const signals: SignalDryRun[] = spec.signals.map((signal) => {
    const c = perSignal.get(signal.id)!;
    const reviewShare = share(c.atReview, c.judged);
    return {
      id: signal.id,
      ...(signal.name ? { name: signal.name } : {}),
      kind: signal.kind,
      weight: signal.weight,
      ...c,
      watchShare: share(c.atWatch, c.judged),
      reviewShare,
      missingShare: share(c.steps - c.judged, c.steps),
      errors: [...(signalMessages.get(signal.id) ?? [])],
      noisy: reviewShare > NOISY_REVIEW_SHARE,
    };
  });

  return {
    entities: entityFrames.length,
    cuts,
    signals,
    combined: {
      steps: combined.steps,
      judged: combined.judged,
      atWatch: combined.atWatch,
      atReview: combined.atReview,
      watchShare: share(combined.atWatch, combined.judged),
      reviewShare: share(combined.atReview, combined.judged),
      missingShare: share(combined.steps - combined.judged, combined.steps),
      tierWatchShare: share(combined.tierWatch, combined.steps),
      tierReviewShare: share(combined.tierReview, combined.steps),
    },
    errors: [...general],
  };
}

/** "12 %", "1.5 %", "0.04 %", "0 %"; "n/a" when there was nothing to judge. */
export function formatShare(value: number): string {
  if (Number.isNaN(value)) {
    return 'n/a';
  }
  const pct = 100 * value;
  if (pct === 0) {
    return '0 %';
  }
  if (pct < 0.1) {
    // Keep one significant digit so a rare but non-zero share never reads as 0.
    return `${Number(pct.toPrecision(1))} %`;
  }
  return pct < 10 ? `${pct.toFixed(1)} %` : `${pct.toFixed(0)} %`;
}
