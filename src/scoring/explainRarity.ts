/**
 * Rarity in words, for explanations: a signal on the rarity severity (signals/rarity.ts) turns its
 * severity back into how rare the statistic is in the series' own history.
 *
 *   block  = max(5 min, step);  L50 = log10(rarity / block)
 *   L(s)   = L50 − 1.5 + 3·u(s),  u = inverse smoothstep      (0 < s < 1: exact)
 *   s = 1: L >= L50 + 1.5 ("rarer than");  s = 0: L <= L50 − 1.5 ("no rarer than")
 *   "rarer than 1 in 10^L five-minute spans of its history (about once in 10^L·block), judged on the
 *   last <rarityWindow>"
 * The severity is all the frames carry, so this needs no detector state: it is exact wherever the
 * severity is strictly between 0 and 1 and a bound at either end.
 */
import { SEVERITY_HALF_WIDTH_DECADES, severityDecades, DEFAULT_BLOCK } from './signals/rarity';
import { resolveSeverity } from './signals/registry';
import type { SignalSpec } from './spec';
import { durationToMs } from './util/duration';

export interface RarityReading {
  /** −log10 of the share of history blocks this extreme (a bound when `relation` is not 'about'). */
  decades: number;
  relation: 'about' | 'at_least' | 'at_most';
  blockMs: number;
  /** The same rarity as a return period: once per this long. */
  onceEveryMs: number;
  historyMs: number;
  text: string;
  /** "about once in 69 days", "rarer than once in 3.2 years", "once in 22 hours or more often". */
  short: string;
}

const BLOCK_MS = durationToMs(DEFAULT_BLOCK);

/** The rarity reading of a severity, or undefined when the signal is not on the rarity severity. */
export function rarityReading(signal: SignalSpec, severity: number, stepMs: number): RarityReading | undefined {
  const sev = resolveSeverity(signal.kind, signal.params);
  if (sev.mode !== 'rarity' || !(severity >= 0) || !(stepMs > 0)) {
    return undefined;
  }
  const blockMs = Math.max(BLOCK_MS, stepMs);
  const half = Math.log10(Math.max(1, sev.rarityMs / blockMs));
  const relation = severity >= 1 ? 'at_least' : severity <= 0 ? 'at_most' : 'about';
  const decades =
    relation === 'about'
      ? severityDecades(severity, half)
      : half + (relation === 'at_least' ? SEVERITY_HALF_WIDTH_DECADES : -SEVERITY_HALF_WIDTH_DECADES);
  const onceEveryMs = Math.pow(10, decades) * blockMs;
  const oneIn = formatCount(Math.pow(10, decades));
  const spans = `${spanName(blockMs)} spans`;
  const period = formatDurationWords(onceEveryMs);
  const judged = `judged on the last ${formatDurationWords(sev.rarityWindowMs)}`;
  const text =
    relation === 'at_most'
      ? `no rarer than 1 in ${oneIn} ${spans} of its history (once in ${period} or more often; ${judged})`
      : `${relation === 'at_least' ? 'rarer than' : 'as rare as'} 1 in ${oneIn} ${spans} of its history (about once in ${period}; ${judged})`;
  const short =
    relation === 'at_most'
      ? `once in ${period} or more often`
      : `${relation === 'at_least' ? 'rarer than' : 'about'} once in ${period}`;
  return { decades, relation, blockMs, onceEveryMs, historyMs: sev.rarityWindowMs, text, short };
}

/** "no rarer than once in 9 days": the rarity at which the severity falls below `severityBelow`. */
export function rarityBoundText(signal: SignalSpec, severityBelow: number, stepMs: number): string | undefined {
  if (!(severityBelow > 0 && severityBelow <= 1)) {
    return undefined;
  }
  const r = rarityReading(signal, Math.min(severityBelow, 1 - 1e-9), stepMs);
  return r ? `is no rarer than once in ${formatDurationWords(r.onceEveryMs)} of its history` : undefined;
}

/** 20000 -> "20,000"; two significant digits above 100 (the rarity is an estimate). */
export function formatCount(x: number): string {
  if (!Number.isFinite(x)) {
    return '∞';
  }
  const digits = x >= 100 ? Math.floor(Math.log10(x)) - 1 : 0;
  const rounded = Math.round(x / Math.pow(10, digits)) * Math.pow(10, digits);
  return rounded.toLocaleString('en-US');
}

/** 5 min -> "five-minute"; 1 h -> "one-hour"; otherwise "2h" style. */
function spanName(ms: number): string {
  if (ms === 300_000) {
    return 'five-minute';
  }
  if (ms === 60_000) {
    return 'one-minute';
  }
  if (ms === 3_600_000) {
    return 'one-hour';
  }
  return `${formatDurationWords(ms)}`;
}

/** A duration in the largest unit that keeps it >= 1, two significant digits: "69 days", "3.2 years". */
export function formatDurationWords(ms: number): string {
  if (!Number.isFinite(ms)) {
    return 'forever';
  }
  const units: Array<[string, number]> = [
    ['year', 365 * 86_400_000],
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ];
  for (const [name, size] of units) {
    if (ms >= size) {
      const v = ms / size;
      const shown = v >= 10 ? Math.round(v) : Math.round(v * 10) / 10;
      return `${shown.toLocaleString('en-US')} ${name}${shown === 1 ? '' : 's'}`;
    }
  }
  return `${Math.round(ms)} ms`;
}
