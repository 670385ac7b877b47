/** Number and time formatting shared by the pages (plain text; React escapes it). */
import type { Labels } from '../../scoring/evaluate/groundTruth';

export const pct = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`;

export const num = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined || Number.isNaN(x)
    ? '–'
    : !Number.isFinite(x)
      ? x > 0
        ? '∞'
        : '-∞'
      : Number.isInteger(x)
        ? String(x)
        : x.toFixed(digits);

export const iso = (ms: number) =>
  Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString().replace('.000Z', 'Z') : '–';

export const labelText = (labels: Labels) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
