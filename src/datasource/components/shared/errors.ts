import type { SpecError } from '../../../scoring/spec';

/** Spec validation errors looked up by the path of the field they concern. */
export interface ErrorIndex {
  all: readonly SpecError[];
  /** Messages for exactly this path, joined; undefined when there are none. */
  at(path: string): string | undefined;
  /** Messages for this path and every path below it (`signals[0]` covers `signals[0].params.x`). */
  under(path: string): string | undefined;
}

function isBelow(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '.') || path.startsWith(prefix + '[');
}

const joinMessages = (errors: readonly SpecError[]) =>
  errors.length > 0 ? errors.map((e) => e.message).join('; ') : undefined;

export function indexErrors(errors: readonly SpecError[]): ErrorIndex {
  return {
    all: errors,
    at: (path) => joinMessages(errors.filter((e) => e.path === path)),
    under: (path) => joinMessages(errors.filter((e) => isBelow(e.path, path))),
  };
}

/** Only the errors at or below one of the prefixes (e.g. `tiers`, `context`). */
export function errorsUnder(errors: readonly SpecError[], prefixes: readonly string[]): SpecError[] {
  return errors.filter((e) => prefixes.some((p) => isBelow(e.path, p)));
}

/** Field props for an error: `<Field {...fieldError(msg)}>`. */
export function fieldError(message: string | undefined): { invalid?: boolean; error?: string } {
  return message ? { invalid: true, error: message } : {};
}
