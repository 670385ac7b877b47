/**
 * Layer 3: business context, from rules matched on an entity's labels.
 *
 * - multiplier: scales the total evidence E (score = 100 (1 - e^(-m E))), so the score stays bounded
 *   and a multiplier of 2 means "as if every signal had twice the evidence".
 * - floor: the tier is at least this (e.g. regulated models are always at least 'review').
 * - suppress: maintenance windows; the score is still computed, the tier is capped at 'ok' and the
 *   point is marked suppressed.
 * - modelAge: while a model is younger than `youngerThan` (deployed at t0, young for t0 <= t < t0 +
 *   youngerThan) its evidence is multiplied (e.g. 1.5 to watch new models closely, 0.5 to let them settle).
 *
 * Several matching rules combine: multipliers multiply, floors take the highest, any window suppresses.
 * Every effect is listed, so explanations can show why a score or tier is what it is.
 */
import type { Tier } from './types';
import { parseDuration, parseTime, regexMatcherParts, type ContextRule, type TimeValue } from './spec';
import { tierIndex, TIER_OK } from './tiers';

export type Labels = Record<string, string>;

export type EffectKind = 'multiplier' | 'floor' | 'suppress' | 'model_age';

export interface AppliedEffect {
  ruleId: string;
  description?: string;
  kind: EffectKind;
  /** multiplier value, floor tier, or 1 for suppression. */
  value: number | Tier;
  /** Human-readable, e.g. "evidence x2", "tier at least review", "suppressed until 2024-05-01T10:00:00Z". */
  detail: string;
}

interface Window {
  from: number;
  to: number;
}

interface RulePlan {
  rule: ContextRule;
  windows: Window[];
  /** Young-model period [from, to) and its multiplier, when modelAge applies to this entity. */
  young?: Window & { multiplier: number };
}

/** The rules that match one entity, resolved to numbers once. */
export interface ContextPlan {
  rules: RulePlan[];
  /** Product of the constant multipliers. */
  multiplier: number;
  /** Highest floor (index into TIERS). */
  floor: number;
  /** Problems that did not stop scoring (e.g. a deploy-time label that is not a time). */
  warnings: string[];
}

/** Per-point context, aligned to a time axis. */
export interface ContextSeries {
  multiplier: Float64Array;
  floor: Uint8Array;
  suppressed: Uint8Array;
}

const regexCache = new Map<string, RegExp | null>();

/** Fully anchored regex (PromQL `=~` semantics); null when it does not compile. */
function anchoredRegex(source: string, flags: string): RegExp | null {
  const key = `${flags}/${source}`;
  let re = regexCache.get(key);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${source})$`, flags);
    } catch {
      re = null;
    }
    regexCache.set(key, re);
  }
  return re;
}

/** Does one matcher value accept a label value? An absent label reads as "" (as in PromQL). */
export function matchesValue(matcher: string, value: string | undefined): boolean {
  const actual = value ?? '';
  const re = regexMatcherParts(matcher);
  if (!re) {
    return matcher === actual;
  }
  const compiled = anchoredRegex(re.source, re.flags);
  return compiled !== null && compiled.test(actual);
}

export function matchesRule(rule: Pick<ContextRule, 'match'>, labels: Labels): boolean {
  for (const [label, matcher] of Object.entries(rule.match ?? {})) {
    if (!matchesValue(matcher, labels[label])) {
      return false;
    }
  }
  return true;
}

/**
 * A deployment time from a label value: epoch seconds (below 1e11, as Prometheus `*_timestamp_seconds`
 * gauges are), epoch ms, or ISO-8601.
 */
export function parseDeployTime(value: TimeValue | undefined): number {
  if (value === undefined) {
    return NaN;
  }
  const ms = parseTime(value);
  if (Number.isNaN(ms)) {
    return NaN;
  }
  const numeric = typeof value === 'number' || /^-?\d+(\.\d+)?$/.test(String(value).trim());
  return numeric && Math.abs(ms) < 1e11 ? ms * 1000 : ms;
}

function planRule(rule: ContextRule, labels: Labels, warnings: string[]): RulePlan {
  const windows: Window[] = [];
  for (const w of rule.suppress ?? []) {
    const from = parseTime(w.from);
    const to = parseTime(w.to);
    if (Number.isNaN(from) || Number.isNaN(to)) {
      warnings.push(
        `context rule ${rule.id}: suppression window ${String(w.from)}..${String(w.to)} is not a time range; ignored`
      );
    } else {
      windows.push({ from, to });
    }
  }
  const plan: RulePlan = { rule, windows };
  const age = rule.modelAge;
  if (age) {
    const deployed = parseDeployTime(age.label !== undefined ? labels[age.label] : age.deployedAt);
    const span = parseDuration(age.youngerThan);
    if (Number.isNaN(deployed)) {
      const where = age.label !== undefined ? `label "${age.label}" (${labels[age.label] ?? 'absent'})` : 'deployedAt';
      warnings.push(`context rule ${rule.id}: no deployment time in ${where}; model age not applied`);
    } else if (!Number.isNaN(span) && Number.isFinite(age.multiplier) && age.multiplier >= 0) {
      plan.young = { from: deployed, to: deployed + span, multiplier: age.multiplier };
    }
  }
  return plan;
}

/** Resolve the rules that match `labels`. */
export function planContext(rules: readonly ContextRule[], labels: Labels): ContextPlan {
  const plan: ContextPlan = { rules: [], multiplier: 1, floor: TIER_OK, warnings: [] };
  for (const rule of rules) {
    if (!matchesRule(rule, labels)) {
      continue;
    }
    plan.rules.push(planRule(rule, labels, plan.warnings));
    if (rule.multiplier !== undefined && Number.isFinite(rule.multiplier) && rule.multiplier >= 0) {
      plan.multiplier *= rule.multiplier;
    }
    if (rule.floor !== undefined) {
      plan.floor = Math.max(plan.floor, tierIndex(rule.floor));
    }
  }
  return plan;
}

function inWindow(w: Window, t: number): boolean {
  return t >= w.from && t <= w.to;
}

function inYoungPeriod(w: Window, t: number): boolean {
  return t >= w.from && t < w.to;
}

/** Per-point multiplier, floor and suppression for the time axis `t`. Pure in t: chunking-invariant. */
export function contextSeries(plan: ContextPlan, t: Float64Array): ContextSeries {
  const n = t.length;
  const out: ContextSeries = {
    multiplier: new Float64Array(n).fill(plan.multiplier),
    floor: new Uint8Array(n).fill(plan.floor),
    suppressed: new Uint8Array(n),
  };
  for (const r of plan.rules) {
    for (const w of r.windows) {
      for (let i = 0; i < n; i++) {
        if (inWindow(w, t[i])) {
          out.suppressed[i] = 1;
        }
      }
    }
    const young = r.young;
    if (young) {
      for (let i = 0; i < n; i++) {
        if (inYoungPeriod(young, t[i])) {
          out.multiplier[i] *= young.multiplier;
        }
      }
    }
  }
  return out;
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/** The effects that apply at time t, in rule order, for explanations. */
export function effectsAt(plan: ContextPlan, t: number): AppliedEffect[] {
  const out: AppliedEffect[] = [];
  for (const { rule, windows, young } of plan.rules) {
    const base = { ruleId: rule.id, ...(rule.description !== undefined ? { description: rule.description } : {}) };
    if (rule.multiplier !== undefined && rule.multiplier !== 1) {
      out.push({ ...base, kind: 'multiplier', value: rule.multiplier, detail: `evidence x${rule.multiplier}` });
    }
    if (rule.floor !== undefined && rule.floor !== 'ok') {
      out.push({ ...base, kind: 'floor', value: rule.floor, detail: `tier at least ${rule.floor}` });
    }
    const window = windows.find((w) => inWindow(w, t));
    if (window) {
      out.push({ ...base, kind: 'suppress', value: 1, detail: `suppressed ${iso(window.from)} .. ${iso(window.to)}` });
    }
    if (young && inYoungPeriod(young, t)) {
      out.push({
        ...base,
        kind: 'model_age',
        value: young.multiplier,
        detail: `model deployed ${iso(young.from)} is younger than ${rule.modelAge?.youngerThan}: evidence x${young.multiplier}`,
      });
    }
  }
  return out;
}
