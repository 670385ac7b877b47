/**
 * Explanation of one scored point: the score with its interval, the tier and what to do about it,
 * each signal's share of the score and what it saw against what was expected, the context rules that
 * applied, and what would change the tier.
 *
 * "What would change the tier" is solved analytically, one signal at a time with the others fixed:
 * the tier is left downwards once score < cut - h (its exit threshold), i.e. once the total evidence
 * after context drops below L = -ln(1 - target/100).
 * - evidence:       m (E_others + e_i') < L  =>  e_i' < L/m - E_others  =>  s_i' < 1 - exp(-e_i'/w_i)
 * - weighted_mean:  base score B = 100 (1 - e^(-L/m));  s_i' < (B W/100 - sum_{j!=i} w_j s_j) / w_i
 * - max:            s_i' < B/100, achievable only if every other signal is already below it
 * Where the detector's severity is the shared smoothstep ramp of its statistic (robust_z, seasonal,
 * level_shift, staleness), the bound is also given on the statistic ("|z| < 4.1").
 */
import {
  POINT_MISSING,
  POINT_OK,
  POINT_WARMING_UP,
  type CompositeMethod,
  type Direction,
  type SignalKind,
  type SignalState,
  type Tier,
} from './types';
import { clampSeverity, evidenceOf, scoreFromEvidence } from './composite';
import { effectsAt, type AppliedEffect } from './context';
import type { EntityScore } from './engine';
import { tierConfigOf, type ScoreSpec, type SignalSpec } from './spec';
import { exitThreshold, playbookFor, tierName, TIER_OK, type PlaybookEntry } from './tiers';
import { resolveSeverity } from './signals/registry';
import { inverseSmoothstep } from './util/smoothstep';
import { rarityBoundText, rarityReading } from './explainRarity';
import { parseDuration } from './spec';

export interface ContributionLine {
  id: string;
  name: string;
  kind: SignalKind;
  contribution: number;
  /** contribution / score (0 when the score is 0). */
  share: number;
  severity: number;
  weight: number;
  status: PointState;
}

export type PointState = SignalState;

export interface SignalLine {
  id: string;
  name: string;
  kind: SignalKind;
  status: PointState;
  message?: string;
  observed: number;
  expected: number;
  lower: number;
  upper: number;
  statistic: number;
  severity: number;
  severityLower: number;
  severityUpper: number;
  support: number;
  /** Rarity severity: how rare the statistic is in the series' own history, in words. */
  rarity?: string;
}

export interface TierChangeLine {
  id: string;
  name: string;
  severity: number;
  /** The tier drops if this signal's severity falls below this (others fixed); NaN if it cannot alone. */
  severityBelow: number;
  achievable: boolean;
  /** Bound on the detector's statistic, where the severity function is invertible. */
  statistic?: { name: string; current: number; bound: number; text: string };
  text: string;
}

export interface WhatWouldChange {
  /** The tier the entity would fall to, and the score it must fall below. */
  toTier: Tier;
  scoreBelow: number;
  lines: TierChangeLine[];
  /** Why nothing can be solved (ok tier, suppression, a context floor). */
  note?: string;
}

export interface Explanation {
  key: string;
  labels: Record<string, string>;
  t: number;
  time: string;
  score: number;
  scoreLower: number;
  scoreUpper: number;
  /** e.g. "62 (55–70)". */
  scoreText: string;
  tier: Tier;
  /** Tier from the score alone (before context floors / suppression). */
  baseTier: Tier;
  suppressed: boolean;
  action: PlaybookEntry;
  contributions: ContributionLine[];
  signals: SignalLine[];
  context: AppliedEffect[];
  /** Signals without a judged severity at this point (missing, warming up, error). */
  notJudged: string[];
  whatWouldChange?: WhatWouldChange;
}

function pointState(es: EntityScore, id: string, i: number): PointState {
  const o = es.signals[id];
  if (!o) {
    return 'missing';
  }
  if (o.state === 'error') {
    return 'error';
  }
  const st = o.result.status[i];
  return st === POINT_OK ? 'ok' : st === POINT_WARMING_UP ? 'warming_up' : st === POINT_MISSING ? 'missing' : 'missing';
}

/** Compact number for text: integers stay integers, others keep 3 significant digits. */
export function fmt(x: number): string {
  if (Number.isNaN(x)) {
    return '–';
  }
  if (!Number.isFinite(x)) {
    return x > 0 ? '∞' : '-∞';
  }
  if (Number.isInteger(x) && Math.abs(x) < 1e9) {
    return String(x);
  }
  const a = Math.abs(x);
  return a >= 1e5 || a < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

export function formatScore(score: number, lower: number, upper: number): string {
  return `${Math.round(score)} (${Math.round(lower)}–${Math.round(upper)})`;
}

function isoTime(t: number): string {
  return Number.isFinite(t) && Math.abs(t) < 8.64e15 ? new Date(t).toISOString() : String(t);
}

/** The evaluation step: the spec's, else the smallest spacing of the scored times, else 1 min. */
function stepOf(es: EntityScore, spec: ScoreSpec): number {
  const fromSpec = spec.step ? parseDuration(spec.step) : NaN;
  if (fromSpec > 0) {
    return fromSpec;
  }
  let best = Infinity;
  for (let k = 1; k < es.t.length && k < 1000; k++) {
    const d = es.t[k] - es.t[k - 1];
    if (d > 0 && d < best) {
      best = d;
    }
  }
  return Number.isFinite(best) ? best : 60_000;
}

export function explainPoint(es: EntityScore, index: number, spec: ScoreSpec): Explanation {
  const i = Math.max(0, Math.min(es.t.length - 1, Math.floor(index)));
  const byId = new Map(spec.signals.map((s) => [s.id, s]));
  const ids = spec.signals.map((s) => s.id);
  const nameOf = (id: string) => byId.get(id)?.name || id;
  const score = es.score[i] ?? 0;
  const tierIdx = es.tier[i] ?? TIER_OK;
  const tier = tierName(tierIdx);
  const stepMs = stepOf(es, spec);

  const contributions: ContributionLine[] = ids
    .map((id) => {
      const s = byId.get(id)!;
      const contribution = es.contrib[id]?.[i] ?? 0;
      return {
        id,
        name: nameOf(id),
        kind: s.kind,
        contribution,
        share: score > 0 ? contribution / score : 0,
        severity: es.signals[id]?.result.severity[i] ?? NaN,
        weight: s.weight,
        status: pointState(es, id, i),
      };
    })
    .sort((a, b) => b.contribution - a.contribution || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const signals: SignalLine[] = ids.map((id) => {
    const o = es.signals[id];
    const r = o?.result;
    const line: SignalLine = {
      id,
      name: nameOf(id),
      kind: byId.get(id)!.kind,
      status: pointState(es, id, i),
      observed: o?.observed[i] ?? NaN,
      expected: r?.expected[i] ?? NaN,
      lower: r?.lower[i] ?? NaN,
      upper: r?.upper[i] ?? NaN,
      statistic: r?.statistic[i] ?? NaN,
      severity: r?.severity[i] ?? NaN,
      severityLower: o?.severityLower[i] ?? NaN,
      severityUpper: o?.severityUpper[i] ?? NaN,
      support: r?.support[i] ?? NaN,
    };
    if (o?.message !== undefined && line.status !== 'ok') {
      line.message = o.message;
    }
    const rarity = line.status === 'ok' ? rarityReading(byId.get(id)!, line.severity, stepMs) : undefined;
    if (rarity) {
      line.rarity = rarity.text;
    }
    return line;
  });

  const t = es.t[i] ?? NaN;
  const explanation: Explanation = {
    key: es.key,
    labels: es.labels,
    t,
    time: isoTime(t),
    score,
    scoreLower: es.scoreLower[i] ?? score,
    scoreUpper: es.scoreUpper[i] ?? score,
    scoreText: formatScore(score, es.scoreLower[i] ?? score, es.scoreUpper[i] ?? score),
    tier,
    baseTier: tierName(es.baseTier[i] ?? TIER_OK),
    suppressed: es.suppressed[i] === 1,
    action: playbookFor(tier, spec.tiers.playbook),
    contributions,
    signals,
    context: es.context ? effectsAt(es.context, t) : [],
    notJudged: signals.filter((s) => s.status !== 'ok').map((s) => s.id),
  };
  if (es.t.length > 0) {
    explanation.whatWouldChange = whatWouldChange(es, i, spec, explanation);
  }
  return explanation;
}

// ---------------------------------------------------------------------------------------------
// What would change the tier
// ---------------------------------------------------------------------------------------------

function whatWouldChange(es: EntityScore, i: number, spec: ScoreSpec, ex: Explanation): WhatWouldChange {
  const config = tierConfigOf(spec);
  const base = es.baseTier[i];
  const effective = es.tier[i];
  const scoreBelow = exitThreshold(config, base);
  const result: WhatWouldChange = { toTier: tierName(Math.max(0, base - 1)), scoreBelow, lines: [] };
  if (ex.suppressed) {
    const rule = ex.context.find((c) => c.kind === 'suppress');
    result.note = `suppressed by context rule ${rule?.ruleId ?? '?'}: the tier stays ok while the window lasts`;
    return result;
  }
  if (effective === TIER_OK) {
    result.toTier = 'ok';
    result.note = 'already ok';
    return result;
  }
  if (es.floor[i] >= effective) {
    const rules = ex.context.filter((c) => c.kind === 'floor').map((c) => c.ruleId);
    result.toTier = tierName(effective);
    result.note = `held at ${tierName(effective)} by context floor (${rules.join(', ') || 'context'}); the score cannot lower it`;
    return result;
  }
  const m = es.multiplier[i];
  const severities = spec.signals.map((s) => clampSeverity(es.signals[s.id]?.result.severity[i] ?? NaN));
  for (const line of ex.contributions) {
    if (!(line.contribution > 0)) {
      continue;
    }
    const k = spec.signals.findIndex((s) => s.id === line.id);
    const bound = severityBound(es.method, spec.signals, severities, k, scoreBelow, m);
    result.lines.push(
      changeLine(
        spec.signals[k],
        line,
        bound,
        result.toTier,
        es.signals[line.id]?.result.statistic[i] ?? NaN,
        stepOf(es, spec)
      )
    );
  }
  return result;
}

/**
 * The severity below which signal k alone brings the score under `scoreBelow` (others fixed), or NaN
 * when no severity of k can do it.
 */
export function severityBound(
  method: CompositeMethod,
  signals: ReadonlyArray<Pick<SignalSpec, 'weight'>>,
  severities: readonly number[],
  k: number,
  scoreBelow: number,
  multiplier: number
): number {
  if (!(scoreBelow > 0)) {
    return NaN;
  }
  if (!(multiplier > 0)) {
    return 1; // the score is 0 whatever the severities
  }
  // Base (pre-context) evidence that must not be reached.
  const limit = -Math.log1p(-Math.min(scoreBelow, 100) / 100) / multiplier;
  const wk = signals[k].weight;
  if (method === 'evidence') {
    let others = 0;
    severities.forEach((s, j) => {
      if (j !== k) {
        others += evidenceOf(s, signals[j].weight);
      }
    });
    const room = limit - others;
    return room > 0 ? -Math.expm1(-room / wk) : NaN;
  }
  const baseBelow = scoreFromEvidence(limit) / 100;
  if (method === 'weighted_mean') {
    let weightSum = 0;
    let othersWeighted = 0;
    severities.forEach((s, j) => {
      if (!Number.isNaN(s)) {
        weightSum += signals[j].weight;
        if (j !== k) {
          othersWeighted += signals[j].weight * s;
        }
      }
    });
    const bound = (baseBelow * weightSum - othersWeighted) / wk;
    return bound > 0 ? Math.min(1, bound) : NaN;
  }
  const othersBelow = severities.every((s, j) => j === k || Number.isNaN(s) || s < baseBelow);
  return othersBelow && baseBelow > 0 ? baseBelow : NaN;
}

export { inverseSmoothstep };

const RAMP_STATISTIC: Partial<Record<SignalKind, { name: string; seconds?: boolean; signed: boolean }>> = {
  robust_z: { name: 'z', signed: true },
  seasonal: { name: 'z', signed: true },
  level_shift: { name: 'CUSUM', signed: true },
  staleness: { name: 'lag (s)', seconds: true, signed: false },
};

/** "|z| < 4.1", "z < 4.1", "z > -4.1" for a severity bound on a ramp kind; undefined otherwise. */
export function statisticBound(
  signal: SignalSpec,
  severityBelow: number,
  current: number
): TierChangeLine['statistic'] {
  const info = RAMP_STATISTIC[signal.kind];
  if (!info || Number.isNaN(severityBelow)) {
    return undefined;
  }
  const severity = resolveSeverity(signal.kind, signal.params);
  if (severity.mode !== 'ramp') {
    return undefined; // rarity: the bound on the statistic moves with the history (see rarityBoundText)
  }
  const { warn, max } = severity;
  if (!Number.isFinite(warn) || !Number.isFinite(max) || !(max > warn)) {
    return undefined;
  }
  const bound = warn + inverseSmoothstep(severityBelow) * (max - warn);
  const direction: Direction = info.signed ? signal.direction : 'up';
  const text =
    direction === 'up'
      ? `${info.name} < ${fmt(bound)}`
      : direction === 'down'
        ? `${info.name} > ${fmt(-bound)}`
        : `|${info.name}| < ${fmt(bound)}`;
  return { name: info.name, current, bound, text };
}

function changeLine(
  signal: SignalSpec,
  line: ContributionLine,
  severityBelow: number,
  toTier: Tier,
  statistic: number,
  stepMs: number
): TierChangeLine {
  const achievable = !Number.isNaN(severityBelow);
  const stat = achievable ? statisticBound(signal, severityBelow, statistic) : undefined;
  const rarity = achievable && !stat ? rarityBoundText(signal, severityBelow, stepMs) : undefined;
  const condition = stat ? stat.text : rarity ? rarity : `severity < ${fmt(severityBelow)}`;
  const out: TierChangeLine = {
    id: line.id,
    name: line.name,
    severity: line.severity,
    severityBelow,
    achievable,
    text: achievable
      ? `${toTier} if ${line.name} ${condition} (others unchanged)`
      : `${line.name} alone cannot bring the score below the threshold (the other signals carry it)`,
  };
  if (stat) {
    out.statistic = stat;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Plain text
// ---------------------------------------------------------------------------------------------

export function formatExplanation(ex: Explanation): string {
  const lines: string[] = [];
  lines.push(`${ex.key} at ${ex.time}`);
  const actionBits = [
    ex.action.owner && `owner ${ex.action.owner}`,
    ex.action.escalation && `escalation ${ex.action.escalation}`,
    ex.action.runbook && `runbook ${ex.action.runbook}`,
  ]
    .filter(Boolean)
    .join('; ');
  lines.push(
    `Score ${ex.scoreText}: ${ex.tier}${ex.suppressed ? ' (suppressed)' : ''}${ex.baseTier !== ex.tier ? ` (score alone: ${ex.baseTier})` : ''} — action: ${ex.action.action}${actionBits ? ` (${actionBits})` : ''}`
  );
  lines.push('Contributions:');
  for (const c of ex.contributions) {
    lines.push(
      `  ${c.name.padEnd(16)} ${fmt(Number(c.contribution.toFixed(1))).padStart(6)}  ${String(Math.round(c.share * 100)).padStart(3)}%  severity ${fmt(c.severity)}  ${c.status}`
    );
  }
  lines.push('Signals:');
  for (const s of ex.signals) {
    const observed = Number.isNaN(s.observed) ? `statistic ${fmt(s.statistic)}` : `observed ${fmt(s.observed)}`;
    const band = Number.isNaN(s.lower) && Number.isNaN(s.upper) ? '' : ` (band ${fmt(s.lower)}..${fmt(s.upper)})`;
    const stat = Number.isNaN(s.observed) ? '' : `, statistic ${fmt(s.statistic)}`;
    lines.push(
      `  ${s.name} [${s.kind}]: ${observed} vs expected ${fmt(s.expected)}${band}${stat}, severity ${fmt(s.severity)}${s.rarity ? ` (${s.rarity})` : ''}, ${s.status}${s.message ? ` — ${s.message}` : ''}`
    );
  }
  if (ex.context.length > 0) {
    lines.push('Context:');
    for (const c of ex.context) {
      lines.push(`  ${c.ruleId}: ${c.detail}${c.description ? ` — ${c.description}` : ''}`);
    }
  }
  const w = ex.whatWouldChange;
  if (w) {
    if (w.note) {
      lines.push(`What would change the tier: ${w.note}`);
    } else {
      lines.push(`What would change the tier: score below ${fmt(w.scoreBelow)} -> ${w.toTier}`);
      for (const l of w.lines) {
        lines.push(`  ${l.text}`);
      }
    }
  }
  return lines.join('\n');
}
