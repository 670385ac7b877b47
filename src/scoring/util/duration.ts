/**
 * Durations written the Prometheus way: `30s`, `5m`, `1h`, `1d`, `1w` and combinations such as
 * `1h30m` (units in descending order, each at most once). `ms` and `y` are accepted too.
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** Units from largest to smallest: a combination must follow this order. */
const UNIT_ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

const PART = /(\d+(?:\.\d+)?)(ms|[ywdhms])/gy;

/** Parses a duration string to milliseconds; throws an Error that says what is wrong. */
export function durationToMs(text: string): number {
  const ms = tryDurationToMs(text);
  if (ms === undefined) {
    throw new Error(`invalid duration ${JSON.stringify(text)}: expected e.g. 30s, 5m, 1h, 1d, 1w or 1h30m`);
  }
  return ms;
}

/** Like durationToMs but returns undefined instead of throwing. */
export function tryDurationToMs(text: unknown): number | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  const s = text.trim();
  if (s.length === 0) {
    return undefined;
  }
  PART.lastIndex = 0;
  let total = 0;
  let lastUnitRank = -1;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = PART.exec(s)) !== null) {
    const rank = UNIT_ORDER.indexOf(match[2]);
    if (rank <= lastUnitRank) {
      return undefined; // units out of order or repeated, e.g. "5m1h"
    }
    lastUnitRank = rank;
    total += parseFloat(match[1]) * UNIT_MS[match[2]];
    consumed = PART.lastIndex;
  }
  if (consumed !== s.length || !Number.isFinite(total)) {
    return undefined;
  }
  return total;
}

/** True if `text` is a valid duration string. */
export function isDuration(text: unknown): boolean {
  return tryDurationToMs(text) !== undefined;
}

/**
 * Number of points a duration spans at a given step: round(duration / step), at least `min`.
 * Rounding (not ceil) keeps `1h` at a 59.99 s step at 60 points.
 */
export function durationToPoints(duration: string, stepMs: number, min = 1): number {
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) {
    throw new Error(`step must be a positive number of milliseconds, got ${stepMs}`);
  }
  return Math.max(min, Math.round(durationToMs(duration) / stepMs));
}

/** ms -> the shortest exact `1d2h3m4s` form, in whole seconds (days are the largest unit). */
export function msToDuration(ms: number): string {
  let rest = Math.round(ms / 1000) * 1000;
  if (!(rest > 0)) {
    return '0s';
  }
  let out = '';
  for (const unit of ['d', 'h', 'm', 's']) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
