/**
 * Pure edits of a ScoreSpecInput (the query's spec). The editor only calls these, so every edit
 * produces a new spec and leaves the previous one untouched.
 */
import { kindInfo, QUERY_ROLES, validateSpec } from '../../../scoring/spec';
import type { ScoreSpecInput, SignalSpecInput, SignalSource } from '../../../scoring/spec';
import type { SignalKind } from '../../../scoring/types';

export const DEFAULT_KIND: SignalKind = 'robust_z';

/** Query roles the kind needs (`value`, or `numerator` + `denominator`, …). */
export function rolesOf(kind: SignalKind): readonly string[] {
  const info = kindInfo(kind);
  return info ? QUERY_ROLES[info.inputType] : ['value'];
}

/** `base`, `base_2`, `base_3` … : the first id no other signal uses. */
export function uniqueSignalId(spec: ScoreSpecInput, base: string): string {
  const taken = new Set((spec.signals ?? []).map((s) => s.id));
  const stem = base.replace(/_\d+$/, '') || 'signal';
  if (!taken.has(base)) {
    return base;
  }
  for (let n = 2; ; n++) {
    const id = `${stem}_${n}`;
    if (!taken.has(id)) {
      return id;
    }
  }
}

function emptyQueries(kind: SignalKind): Record<string, string> {
  return Object.fromEntries(rolesOf(kind).map((r) => [r, '']));
}

function withSignals(spec: ScoreSpecInput, signals: SignalSpecInput[]): ScoreSpecInput {
  return { ...spec, signals };
}

export function addSignal(spec: ScoreSpecInput): ScoreSpecInput {
  const signal: SignalSpecInput = {
    id: uniqueSignalId(spec, 'signal_1'),
    kind: DEFAULT_KIND,
    source: { queries: emptyQueries(DEFAULT_KIND) },
  };
  return withSignals(spec, [...(spec.signals ?? []), signal]);
}

export function removeSignal(spec: ScoreSpecInput, index: number): ScoreSpecInput {
  return withSignals(
    spec,
    (spec.signals ?? []).filter((_, i) => i !== index)
  );
}

/** Moves signal `index` by `delta` places; out-of-range moves return the spec unchanged. */
export function moveSignal(spec: ScoreSpecInput, index: number, delta: number): ScoreSpecInput {
  const signals = [...(spec.signals ?? [])];
  const to = index + delta;
  if (index < 0 || index >= signals.length || to < 0 || to >= signals.length) {
    return spec;
  }
  const [moved] = signals.splice(index, 1);
  signals.splice(to, 0, moved);
  return withSignals(spec, signals);
}

/** A deep copy of signal `index` with a fresh id, right after it. */
export function duplicateSignal(spec: ScoreSpecInput, index: number): ScoreSpecInput {
  const signals = [...(spec.signals ?? [])];
  const original = signals[index];
  if (!original) {
    return spec;
  }
  const copy: SignalSpecInput = structuredCloneJson(original);
  copy.id = uniqueSignalId(spec, `${original.id}_copy`);
  if (copy.name) {
    copy.name = `${copy.name} (copy)`;
  }
  signals.splice(index + 1, 0, copy);
  return withSignals(spec, signals);
}

export function updateSignal(spec: ScoreSpecInput, index: number, signal: SignalSpecInput): ScoreSpecInput {
  return withSignals(
    spec,
    (spec.signals ?? []).map((s, i) => (i === index ? signal : s))
  );
}

/**
 * A new kind: params go back to that kind's defaults (an empty `params`, the defaults show as
 * placeholders), a direction the kind does not offer is dropped, and queries keep the roles both
 * kinds share (a `value` query survives robust_z -> seasonal; ratio roles are started empty).
 */
export function changeKind(signal: SignalSpecInput, kind: SignalKind): SignalSpecInput {
  const info = kindInfo(kind);
  const roles = rolesOf(kind);
  const oldQueries = signal.source?.queries ?? {};
  const queries = Object.fromEntries(roles.map((r) => [r, oldQueries[r] ?? '']));
  const next: SignalSpecInput = { ...signal, kind, params: {}, source: { ...(signal.source ?? {}), queries } };
  if (next.direction !== undefined && !(info?.directions ?? []).includes(next.direction)) {
    delete next.direction;
  }
  return next;
}

/** Sets (or with `undefined`, clears back to the default) one param. */
export function setParam(signal: SignalSpecInput, name: string, value: unknown): SignalSpecInput {
  const params = { ...(signal.params ?? {}) };
  if (value === undefined) {
    delete params[name];
  } else {
    params[name] = value;
  }
  return { ...signal, params };
}

export function setQuery(signal: SignalSpecInput, role: string, text: string): SignalSpecInput {
  const source: SignalSource = { ...(signal.source ?? { queries: {} }) };
  source.queries = { ...(source.queries ?? {}), [role]: text };
  return { ...signal, source };
}

/** A specific upstream data source, or `undefined` for the data source's default. */
export function setDatasource(
  signal: SignalSpecInput,
  ref: { uid?: string; type?: string } | undefined
): SignalSpecInput {
  const source: SignalSource = { ...(signal.source ?? { queries: {} }) };
  if (ref) {
    source.datasource = { ...ref } as NonNullable<SignalSource['datasource']>;
  } else {
    delete source.datasource;
  }
  return { ...signal, source };
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

let defaultLokiSupported: boolean | undefined;

/**
 * The pipeline sends a signal whose datasource is `{ type: 'loki' }` (no uid) to the default Loki.
 * The editor offers that choice only when validateSpec accepts a datasource without uid.
 */
export function isDefaultLokiSupported(): boolean {
  if (defaultLokiSupported === undefined) {
    defaultLokiSupported = validateSpec({
      id: 'probe',
      signals: [
        {
          id: 'probe',
          kind: 'threshold',
          params: { above: 1 },
          source: { datasource: { type: 'loki' }, queries: { value: 'x' } },
        },
      ],
    }).ok;
  }
  return defaultLokiSupported;
}
