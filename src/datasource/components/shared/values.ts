/**
 * Text <-> spec values for free-form inputs. Numbers stay numbers (`20` points, `0.5`), durations and
 * ISO dates stay text (`1h`), `null` is null, an empty field means "not set" (the default applies).
 * Anything else is kept as typed, so validation can say what is wrong with it.
 */
export function textToValue(text: string): string | number | null | undefined {
  const t = text.trim();
  if (t === '') {
    return undefined;
  }
  if (t === 'null') {
    return null;
  }
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) {
    return Number(t);
  }
  return t;
}

export function valueToText(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  if (value === null) {
    return 'null';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A copy of `obj` without the keys whose value is undefined. */
export function compact<T extends object>(obj: T): T {
  const out = {} as T;
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined) {
      (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

/** `obj` without undefined keys, or undefined when nothing is left. */
export function compactOrUndefined<T extends object>(obj: T): T | undefined {
  const out = compact(obj);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A DOM id for the input of the field at a spec path (so an error summary can focus it). */
export function fieldDomId(prefix: string, path: string): string {
  return `${prefix}-${path.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}
