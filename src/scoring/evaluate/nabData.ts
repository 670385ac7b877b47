/**
 * NAB file formats, as pure string <-> typed-array helpers (the CLI does the file IO).
 * Data files: `timestamp,value` with timestamps `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC).
 * Windows file (combined_windows.json): { "category/file.csv": [[start, end], ...] }.
 */
import { TimeWindow } from './nab';

const TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?$/;

/** Parses a NAB timestamp as UTC epoch milliseconds; throws on anything else. */
export function parseNabTimestamp(text: string): number {
  const m = TS.exec(text.trim());
  if (!m) {
    throw new Error(`bad timestamp "${text}"`);
  }
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + Math.round(frac);
}

export interface NabSeries {
  /** Timestamps exactly as written (echoed to the output file). */
  timestampText: string[];
  /** Raw value text (echoed to the output file). */
  valueText: string[];
  t: Float64Array;
  value: Float64Array;
}

/** Parses a NAB data CSV (header `timestamp,value`). Unparseable values become NaN. */
export function parseNabCsv(text: string): NabSeries {
  const lines = text.split(/\r?\n/);
  const header = lines[0].trim().toLowerCase().split(',');
  const ti = header.indexOf('timestamp');
  const vi = header.indexOf('value');
  if (ti < 0 || vi < 0) {
    throw new Error(`expected a header with timestamp,value; got "${lines[0]}"`);
  }
  const timestampText: string[] = [];
  const valueText: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') {
      continue;
    }
    const cells = line.split(',');
    timestampText.push(cells[ti]);
    valueText.push(cells[vi] ?? '');
  }
  const n = timestampText.length;
  const t = new Float64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = parseNabTimestamp(timestampText[i]);
    const v = valueText[i].trim() === '' ? NaN : Number(valueText[i]);
    value[i] = Number.isFinite(v) ? v : NaN;
  }
  return { timestampText, valueText, t, value };
}

/** Formats the result file: `timestamp,value,anomaly_score`, one row per input row, same order. */
export function formatNabResult(series: NabSeries, scores: ArrayLike<number>): string {
  if (scores.length !== series.t.length) {
    throw new Error(`${scores.length} scores for ${series.t.length} rows`);
  }
  const out: string[] = ['timestamp,value,anomaly_score'];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    const clamped = Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 0;
    out.push(`${series.timestampText[i]},${series.valueText[i]},${Number(clamped.toPrecision(8))}`);
  }
  return out.join('\n') + '\n';
}

/** Parses combined_windows.json into time windows per relative path. */
export function parseNabWindows(json: string): Record<string, TimeWindow[]> {
  const raw = JSON.parse(json) as Record<string, Array<[string, string]>>;
  const out: Record<string, TimeWindow[]> = {};
  for (const [file, list] of Object.entries(raw)) {
    out[file] = list.map(([a, b]) => ({ start: parseNabTimestamp(a), end: parseNabTimestamp(b) }));
  }
  return out;
}
