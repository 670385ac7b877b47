/**
 * Small PromQL text builders shared by the rule compiler: literals, durations, label matchers and
 * the severity ramp. Pure string functions, no parsing.
 */
import { regexMatcherParts } from '../spec';

/** A number as a PromQL literal (finite only; the compiler never emits NaN or Inf literals). */
export function num(x: number): string {
  if (!Number.isFinite(x)) {
    throw new Error(`cannot write ${x} as a PromQL number`);
  }
  // Shortest round-trip form; PromQL reads 1e-12, 0.25, 3 alike.
  return String(x);
}

/** Milliseconds as a PromQL duration (`90s`, `1500ms`); > 0 only. */
export function dur(ms: number): string {
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new Error(`cannot write ${ms} ms as a PromQL duration`);
  }
  const whole = Math.round(ms);
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

/** ` offset 5m`, or '' for a zero offset. */
export function offset(ms: number): string {
  return ms > 0 ? ` offset ${dur(ms)}` : '';
}

/** A PromQL / YAML-safe double-quoted string. */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * A context-rule matcher value as a PromQL matcher: exact value `="v"`, or `/re/flags` as `=~"re"`
 * (PromQL regexes are fully anchored like the engine's; flags i, m, s become inline flags).
 */
export function matcher(label: string, value: string): string {
  const re = regexMatcherParts(value);
  if (!re) {
    return `${label}=${quote(value)}`;
  }
  const flags = re.flags.replace(/u/g, '');
  return `${label}=~${quote(flags ? `(?${flags})${re.source}` : re.source)}`;
}

/** `name{a="1",b=~"x"}` from ordered matcher strings. */
export function selector(name: string, matchers: readonly string[]): string {
  return `${name}{${matchers.join(',')}}`;
}

/** Regex alternatives that match the way clients print an `le` bound (`1` and `1.0`, `+Inf`). */
export function leRegex(le: number): string {
  if (le === Infinity) {
    return '\\+Inf';
  }
  const plain = String(le).replace(/\./g, '\\.').replace(/\+/g, '\\+');
  const alts = new Set([plain]);
  if (Number.isInteger(le)) {
    alts.add(`${plain}\\.0`);
  }
  // Go's shortest 'g' format (client_golang) switches to an exponent below 1e-4 and from 1e6: 1e-05, 1e+06.
  const e = le === 0 ? 0 : Math.floor(Math.log10(Math.abs(le)));
  if (e < -4 || e >= 6) {
    alts.add(
      le
        .toExponential()
        .replace(/e([+-])(\d)$/, 'e$10$2')
        .replace(/\./g, '\\.')
        .replace(/\+/g, '\\+')
    );
  }
  return [...alts].join('|');
}

/**
 * The engine's severity ramp (signals/common.ts rampSeverity) on an expression x:
 * 0 up to warn, smoothstep u²(3 − 2u) with u = (x − warn) / (max − warn) between, 1 from max;
 * a step at warn when max <= warn.
 */
export function ramp(x: string, warn: number, max: number): string {
  if (!(max > warn)) {
    return `(${x} > bool ${num(warn)})`;
  }
  const u = `clamp((${x} - ${num(warn)}) / ${num(max - warn)}, 0, 1)`;
  return `(${u} ^ 2 * (3 - 2 * ${u}))`;
}

/** Element-wise maximum of two expressions with identical label sets. */
export function vmax(a: string, b: string): string {
  return `((${a}) > (${b}) or (${b}))`;
}

/** Element-wise minimum of two expressions with identical label sets. */
export function vmin(a: string, b: string): string {
  return `((${a}) < (${b}) or (${b}))`;
}
