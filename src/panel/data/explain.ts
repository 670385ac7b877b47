/**
 * The explanation of one point, read from a score frame. Nothing is rescored: contributions,
 * severities, bands and the interval are the frame's own fields; scoring's pure helpers only turn
 * them into words (context effects at t, the playbook entry, the bound each signal must fall below).
 */
import { clampSeverity } from '../../scoring/composite';
import { effectsAt, type AppliedEffect } from '../../scoring/context';
import { fmt, formatScore, severityBound, statisticBound } from '../../scoring/explain';
import { rarityBoundText, rarityReading } from '../../scoring/explainRarity';
import { tierConfigOf } from '../../scoring/spec';
import { exitThreshold, playbookFor, tierIndex, type PlaybookEntry } from '../../scoring/tiers';
import { TIERS, type CompositeMethod } from '../../scoring/types';
import { TierName } from '../types';
import type { ReviewContribution, ReviewSignal } from '../../frames/report';
import { fieldByName, numAt, ScoreFrameView, signalName, tierAt, timeAt } from './frames';

/** A signal's share of the score and its reading at a point: the shapes the incident review uses. */
export type ContributionBar = ReviewContribution;
export type SignalReading = ReviewSignal;

export interface TierChange {
  id: string;
  name: string;
  achievable: boolean;
  severityBelow: number;
  /** e.g. "review until p99 latency z < 2.1" */
  text: string;
}

export interface WhatWouldChangeView {
  fromTier: TierName;
  toTier: TierName;
  scoreBelow: number;
  lines: TierChange[];
  note?: string;
}

export interface PointExplanation {
  index: number;
  t: number;
  score: number;
  lower: number;
  upper: number;
  /** "62 (55–70)" */
  scoreText: string;
  tier: TierName | undefined;
  contributions: ContributionBar[];
  /** Sum of the contributions (equals the score up to rounding). */
  sum: number;
  /** "62.0 = 41.2 latency + 20.8 errors" */
  sumText: string;
  signals: SignalReading[];
  context: AppliedEffect[];
  action?: PlaybookEntry;
  whatWouldChange?: WhatWouldChangeView;
}

function contributionsAt(view: ScoreFrameView, i: number, score: number): ContributionBar[] {
  return view.signalIds
    .map((id) => {
      const value = numAt(fieldByName(view.frame, `contrib:${id}`), i);
      const v = Number.isFinite(value) ? value : 0;
      return { id, name: signalName(view, id), value: v, share: score > 0 ? v / score : 0 };
    })
    .sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** "62.0 = 41.2 latency + 20.8 errors" (only positive contributions; "0.0 = nothing" when none). */
export function sumText(score: number, bars: readonly ContributionBar[]): string {
  const parts = bars.filter((b) => b.value > 0).map((b) => `${b.value.toFixed(1)} ${b.name}`);
  return `${Number.isFinite(score) ? score.toFixed(1) : '–'} = ${parts.length > 0 ? parts.join(' + ') : 'no contribution'}`;
}

/** The frame's step: the Time field's interval (set by the frame builder), else 1 min. */
function stepOf(view: ScoreFrameView): number {
  const interval = fieldByName(view.frame, 'Time')?.config?.interval;
  return typeof interval === 'number' && interval > 0 ? interval : 60_000;
}

function readings(view: ScoreFrameView, i: number): SignalReading[] {
  const get = (prefix: string, id: string) => numAt(fieldByName(view.frame, `${prefix}:${id}`), i);
  const stepMs = stepOf(view);
  return view.signalIds.map((id) => {
    const meta = view.meta.signals?.find((s) => s.id === id);
    const spec = view.meta.spec?.signals?.find((s) => s.id === id);
    const r: SignalReading = {
      id,
      name: signalName(view, id),
      observed: get('observed', id),
      expected: get('expected', id),
      lower: get('lower', id),
      upper: get('upper', id),
      statistic: get('signal', id),
      severity: get('severity', id),
    };
    const kind = spec?.kind ?? meta?.kind;
    if (kind) {
      r.kind = kind;
    }
    if (meta?.state) {
      r.state = meta.state;
    }
    if (meta?.message) {
      r.message = meta.message;
    }
    const rarity = spec && Number.isFinite(r.severity) ? rarityReading(spec, r.severity, stepMs) : undefined;
    if (rarity) {
      r.rarity = rarity.text;
    }
    return r;
  });
}

/** Context evidence multiplier at t: constant multipliers times a young model's multiplier. */
export function multiplierOf(effects: readonly AppliedEffect[]): number {
  return effects.reduce(
    (m, e) => (e.kind === 'multiplier' || e.kind === 'model_age' ? m * (typeof e.value === 'number' ? e.value : 1) : m),
    1
  );
}

function whatWouldChange(
  view: ScoreFrameView,
  tier: TierName,
  context: AppliedEffect[],
  bars: ContributionBar[],
  i: number
): WhatWouldChangeView | undefined {
  const spec = view.meta.spec;
  if (!spec?.tiers || !spec.signals) {
    return undefined;
  }
  const k = tierIndex(tier);
  const out: WhatWouldChangeView = {
    fromTier: tier,
    toTier: TIERS[Math.max(0, k - 1)],
    scoreBelow: NaN,
    lines: [],
  };
  if (k === 0) {
    out.note = 'already ok';
    return out;
  }
  const suppress = context.find((c) => c.kind === 'suppress');
  if (suppress) {
    out.note = `suppressed by context rule ${suppress.ruleId}`;
    return out;
  }
  // The frame holds the effective tier; when a context floor is at or above it, the score cannot
  // lower it. Otherwise the effective tier is the score's own tier, left below cut - hysteresis.
  const floors = context.filter((c) => c.kind === 'floor');
  const floor = floors.reduce((m, c) => Math.max(m, tierIndex(c.value as TierName)), 0);
  if (floor >= k) {
    out.toTier = tier;
    out.note = `held at ${tier} by context floor (${floors.map((c) => c.ruleId).join(', ')}); the score cannot lower it`;
    return out;
  }
  const scoreBelow = exitThreshold(tierConfigOf(spec), k);
  out.scoreBelow = scoreBelow;
  const method: CompositeMethod = spec.composite?.method ?? 'evidence';
  const multiplier = multiplierOf(context);
  const severities = spec.signals.map((s) => clampSeverity(numAt(fieldByName(view.frame, `severity:${s.id}`), i)));
  for (const bar of bars) {
    if (!(bar.value > 0)) {
      continue;
    }
    const j = spec.signals.findIndex((s) => s.id === bar.id);
    if (j < 0) {
      continue;
    }
    const bound = severityBound(method, spec.signals, severities, j, scoreBelow, multiplier);
    const achievable = !Number.isNaN(bound);
    const stat = achievable
      ? statisticBound(spec.signals[j], bound, numAt(fieldByName(view.frame, `signal:${bar.id}`), i))
      : undefined;
    const rarity = achievable && !stat ? rarityBoundText(spec.signals[j], bound, stepOf(view)) : undefined;
    out.lines.push({
      id: bar.id,
      name: bar.name,
      achievable,
      severityBelow: bound,
      text: achievable
        ? `${tier} until ${bar.name} ${stat ? stat.text : rarity ? rarity : `severity < ${fmt(bound)}`} (others unchanged)`
        : `${bar.name} alone cannot bring the score below ${fmt(scoreBelow)} (the other signals carry it)`,
    });
  }
  return out;
}

/** Explain the point at index i of an entity's frame. */
export function explainAt(view: ScoreFrameView, index: number): PointExplanation | undefined {
  const n = view.score.values.length;
  if (n === 0) {
    return undefined;
  }
  const i = Math.max(0, Math.min(n - 1, Math.floor(index)));
  const score = numAt(view.score, i);
  const lowerField = fieldByName(view.frame, 'score:lower');
  const upperField = fieldByName(view.frame, 'score:upper');
  const lower = lowerField ? numAt(lowerField, i) : score;
  const upper = upperField ? numAt(upperField, i) : score;
  const t = timeAt(view, i);
  const tier = tierAt(view, i);
  const bars = contributionsAt(view, i, score);
  const context = view.meta.context ? effectsAt(view.meta.context, t) : [];
  const out: PointExplanation = {
    index: i,
    t,
    score,
    lower,
    upper,
    scoreText: Number.isFinite(score)
      ? formatScore(score, Number.isFinite(lower) ? lower : score, Number.isFinite(upper) ? upper : score)
      : '–',
    tier,
    contributions: bars,
    sum: bars.reduce((s, b) => s + b.value, 0),
    sumText: sumText(score, bars),
    signals: readings(view, i),
    context,
  };
  if (tier) {
    out.action = playbookFor(tier, view.meta.spec?.tiers?.playbook);
    const w = whatWouldChange(view, tier, context, bars, i);
    if (w) {
      out.whatWouldChange = w;
    }
  }
  return out;
}
