/**
 * ScoreSpec: the declarative description of one anomaly score (signals, composite method, tiers,
 * context rules), its defaults, validation with every error reported as `path: reason`, and YAML /
 * JSON parsing and printing.
 *
 * validateSpec never throws: it is the boundary where untrusted text (a dashboard's JSON, a file in a
 * repository, the query editor) enters the engine.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  stringify as yamlStringify,
  type Node as YamlNode,
} from 'yaml';

import { SIGNAL_KINDS, TIERS, type CompositeMethod, type Direction, type SignalKind, type Tier } from './types';
import { resolveSeverity, SIGNAL_REGISTRY, type SignalKindInfo } from './signals/registry';
import { msToDuration, tryDurationToMs } from './util/duration';
import {
  DEFAULT_CUTS,
  DEFAULT_PLAYBOOK,
  type Playbook,
  type PlaybookEntry,
  type TierConfig,
  type TierCuts,
} from './tiers';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export type InputType = 'value' | 'ratio' | 'buckets' | 'calibration';

/** Query roles each input type needs in `source.queries`. */
export const QUERY_ROLES: Record<InputType, readonly string[]> = {
  value: ['value'],
  ratio: ['numerator', 'denominator'],
  buckets: ['buckets'],
  calibration: ['buckets', 'correct'],
};

export interface SignalSource {
  /** Which data source runs the queries: by uid, or (uid absent) the default one of that type. */
  datasource?: { uid?: string; type?: string };
  /** role -> query text (PromQL or LogQL); roles depend on the kind's input type (QUERY_ROLES). */
  queries: Record<string, string>;
}

export interface SignalSpec {
  /** /^[a-z][a-z0-9_]*$/, unique in the spec; used in frame field names (`contrib:<id>`). */
  id: string;
  name?: string;
  kind: SignalKind;
  /** > 0; the signal's evidence is multiplied by it. */
  weight: number;
  direction: Direction;
  params: Record<string, unknown>;
  source?: SignalSource;
}

export type DurationTier = 'watch' | 'review' | 'critical';

export interface TierSpec {
  cuts: TierCuts;
  /** Score points below a tier's cut before the tier is left. */
  hysteresis: number;
  /** One duration for every tier, or one per tier (missing tiers: '0s'). */
  minDuration: string | Partial<Record<DurationTier, string>>;
  playbook: Playbook;
}

/** Epoch milliseconds or an ISO-8601 date-time. */
export type TimeValue = number | string;

export interface TimeWindow {
  from: TimeValue;
  to: TimeValue;
}

export interface ModelAgeRule {
  /** Label whose value is the deployment time (epoch seconds, epoch ms or ISO). */
  label?: string;
  /** Fixed deployment time, when no label carries it. */
  deployedAt?: TimeValue;
  /** A model deployed less than this long ago at time t counts as young. */
  youngerThan: string;
  /** Evidence multiplier while young (> 1 = more sensitive, < 1 = more tolerant). */
  multiplier: number;
}

export interface ContextRule {
  id: string;
  description?: string;
  /** label -> exact value, or `/regex/` (fully anchored, like PromQL `=~`). Empty = every entity. */
  match: Record<string, string>;
  /** Evidence multiplier (>= 0): applied to E, so the score stays in [0, 100]. */
  multiplier?: number;
  /** The tier is at least this while the rule applies. */
  floor?: Tier;
  /** Maintenance windows: the score is computed but the tier is capped at 'ok' and marked suppressed. */
  suppress?: TimeWindow[];
  modelAge?: ModelAgeRule;
}

export interface ScoreSpec {
  id: string;
  version: number | string;
  title?: string;
  /** Label names that identify an entity (the join key across signals). */
  entity: string[];
  /** Evaluation step, e.g. '1m'. When absent, the engine infers it from the data. */
  step?: string;
  composite: {
    method: CompositeMethod;
    /**
     * How rarely a healthy entity should reach review: every signal on the rarity severity without
     * its own `rarity` gets this times the number of such signals (see withDefaults).
     */
    rarity: string;
  };
  signals: SignalSpec[];
  tiers: TierSpec;
  context: ContextRule[];
}

/** What a user may write: everything with a default may be left out. */
export interface SignalSpecInput {
  id: string;
  name?: string;
  kind: SignalKind;
  weight?: number;
  direction?: Direction;
  params?: Record<string, unknown>;
  source?: SignalSource;
}

export interface ScoreSpecInput {
  id: string;
  version?: number | string;
  title?: string;
  entity?: string[];
  step?: string;
  composite?: { method?: CompositeMethod; rarity?: string };
  signals: SignalSpecInput[];
  tiers?: {
    cuts?: Partial<TierCuts>;
    hysteresis?: number;
    minDuration?: TierSpec['minDuration'];
    playbook?: Partial<Record<Tier, PlaybookEntry>>;
  };
  context?: ContextRule[];
}

export interface SpecError {
  /** Dotted path into the spec, e.g. `signals[2].params.window`; '' for the document itself. */
  path: string;
  message: string;
  /** 1-based position in the source text, when the spec came from parseSpec. */
  line?: number;
  column?: number;
}

export interface SpecResult {
  ok: boolean;
  spec?: ScoreSpec;
  errors: SpecError[];
}

// ---------------------------------------------------------------------------------------------
// Registry access (the detectors are defined in signals/registry.ts)
// ---------------------------------------------------------------------------------------------

export type KindInfo = SignalKindInfo;

/** The registry's entry for a kind, or undefined for an unknown kind (never throws). */
export function kindInfo(kind: SignalKind): KindInfo | undefined {
  return Object.prototype.hasOwnProperty.call(SIGNAL_REGISTRY, kind) ? SIGNAL_REGISTRY[kind] : undefined;
}

/** Direction used when a signal does not set one: the kind's own default (spikes and dips, or "up"). */
export function defaultDirection(kind: SignalKind): Direction {
  return kindInfo(kind)?.defaultDirection ?? 'both';
}

// ---------------------------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------------------------

export const DEFAULT_HYSTERESIS = 5;
export const DEFAULT_MIN_DURATION = '0s';

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function withSignalDefaults(s: SignalSpecInput): SignalSpec {
  const info = kindInfo(s.kind);
  const out: SignalSpec = {
    id: s.id,
    kind: s.kind,
    weight: s.weight ?? 1,
    direction: s.direction ?? defaultDirection(s.kind),
    params: { ...(info ? info.defaults : {}), ...(s.params ?? {}) },
  };
  if (s.name !== undefined) {
    out.name = s.name;
  }
  if (s.source !== undefined) {
    out.source = s.source;
  }
  return out;
}

function withPlaybookDefaults(p: Partial<Record<Tier, PlaybookEntry>> | undefined): Playbook {
  const out = {} as Playbook;
  for (const tier of TIERS) {
    out[tier] = { ...DEFAULT_PLAYBOOK[tier], ...(p?.[tier] ?? {}) };
  }
  return out;
}

/** A healthy entity reaches review about once per this long, by default. */
export const DEFAULT_COMPOSITE_RARITY = '30d';

/**
 * The entity's rarity target split across its rarity signals (a Bonferroni split): with n signals
 * on the rarity severity, each one left without its own `rarity` gets target × n, so that together
 * they reach review (severity 0.5 with weight 1 and the default cuts) about once per target. A
 * signal with its own `rarity` keeps it, and still counts in n.
 */
function splitRarity(signals: SignalSpec[], target: string | undefined): SignalSpec[] {
  const rarityMs = parseDuration(target ?? DEFAULT_COMPOSITE_RARITY);
  const onRarity = signals.filter((s) => resolveSeverity(s.kind, s.params).mode === 'rarity');
  if (onRarity.length === 0 || !(rarityMs > 0)) {
    return signals;
  }
  const each = msToDuration(rarityMs * onRarity.length);
  return signals.map((s) =>
    onRarity.includes(s) && (s.params.rarity === null || s.params.rarity === undefined)
      ? { ...s, params: { ...s.params, rarity: each } }
      : s
  );
}

/** Fill in every default. Idempotent: withDefaults(withDefaults(x)) deep-equals withDefaults(x). */
export function withDefaults(partial: ScoreSpecInput): ScoreSpec {
  const tiers = partial.tiers ?? {};
  const spec: ScoreSpec = {
    id: partial.id,
    version: partial.version ?? 1,
    entity: [...(partial.entity ?? [])],
    composite: {
      method: partial.composite?.method ?? 'evidence',
      rarity: partial.composite?.rarity ?? DEFAULT_COMPOSITE_RARITY,
    },
    signals: splitRarity((partial.signals ?? []).map(withSignalDefaults), partial.composite?.rarity),
    tiers: {
      cuts: { ...DEFAULT_CUTS, ...(tiers.cuts ?? {}) },
      hysteresis: tiers.hysteresis ?? DEFAULT_HYSTERESIS,
      minDuration: tiers.minDuration ?? DEFAULT_MIN_DURATION,
      playbook: withPlaybookDefaults(tiers.playbook),
    },
    context: (partial.context ?? []).map((r) => ({ ...r, match: { ...(r.match ?? {}) } })),
  };
  if (partial.title !== undefined) {
    spec.title = partial.title;
  }
  if (partial.step !== undefined) {
    spec.step = partial.step;
  }
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Small shared parsers (also used by context.ts and engine.ts)
// ---------------------------------------------------------------------------------------------

/** Duration text -> ms, or NaN when it is not a duration. Never throws. */
export function parseDuration(value: unknown): number {
  const ms = tryDurationToMs(value);
  return ms !== undefined && ms >= 0 ? ms : NaN;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch ms (number or numeric string) or ISO-8601 text -> epoch ms; NaN otherwise. */
export function parseTime(value: unknown): number {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : NaN;
  }
  if (typeof value !== 'string') {
    return NaN;
  }
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    return Number(text);
  }
  return ISO_DATE.test(text) ? Date.parse(text) : NaN;
}

/** Step of the spec in ms, or undefined when not set / not valid. */
export function stepMsOf(spec: ScoreSpec): number | undefined {
  const ms = parseDuration(spec.step);
  return ms > 0 ? ms : undefined;
}

/** Resolve the tier section into numbers (invalid durations count as 0: validateSpec reports them). */
export function tierConfigOf(spec: ScoreSpec): TierConfig {
  const md = spec.tiers.minDuration;
  const each = (tier: DurationTier): number => {
    const text = typeof md === 'string' ? md : md?.[tier];
    const ms = parseDuration(text ?? DEFAULT_MIN_DURATION);
    return Number.isNaN(ms) ? 0 : ms;
  };
  return {
    cuts: { ...spec.tiers.cuts },
    hysteresis: spec.tiers.hysteresis,
    minDurationMs: { watch: each('watch'), review: each('review'), critical: each('critical') },
  };
}

/** `/regex/` or `/regex/flags` -> the pattern and flags; undefined for an exact-value matcher. */
export function regexMatcherParts(value: string): { source: string; flags: string } | undefined {
  const m = /^\/(.*)\/([imsu]*)$/s.exec(value);
  return m && value.length >= 2 ? { source: m[1], flags: m[2] } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const SIGNAL_ID = /^[a-z][a-z0-9_]*$/;
const SPEC_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DIRECTIONS: readonly Direction[] = ['up', 'down', 'both'];
const METHODS: readonly CompositeMethod[] = ['evidence', 'weighted_mean', 'max'];
const CUT_TIERS: readonly DurationTier[] = ['watch', 'review', 'critical'];

/** Collects errors while walking an unknown value. */
class Checker {
  readonly errors: SpecError[] = [];

  add(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  object(value: unknown, path: string, known: readonly string[]): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) {
      this.add(path, `must be an object, got ${describe(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        const hint = closest(key, known);
        this.add(
          join(path, key),
          `unknown field${hint ? `; did you mean "${hint}"?` : ''} (known: ${known.join(', ')})`
        );
      }
    }
    return value;
  }

  string(
    value: unknown,
    path: string,
    opts: { pattern?: RegExp; patternText?: string; optional?: boolean; allowEmpty?: boolean } = {}
  ): value is string {
    if (value === undefined && opts.optional) {
      return false;
    }
    if (typeof value !== 'string' || (value === '' && !opts.allowEmpty)) {
      this.add(path, `must be a ${opts.allowEmpty ? '' : 'non-empty '}string, got ${describe(value)}`);
      return false;
    }
    if (opts.pattern && !opts.pattern.test(value)) {
      this.add(path, `must match ${opts.patternText ?? String(opts.pattern)}, got "${value}"`);
      return false;
    }
    return true;
  }

  oneOf<T extends string>(value: unknown, path: string, options: readonly T[], optional = false): value is T {
    if (value === undefined && optional) {
      return false;
    }
    if (typeof value === 'string' && (options as readonly string[]).includes(value)) {
      return true;
    }
    const hint = typeof value === 'string' ? closest(value, options) : undefined;
    this.add(
      path,
      `must be one of ${options.join(', ')}, got ${describe(value)}${hint ? `; did you mean "${hint}"?` : ''}`
    );
    return false;
  }

  number(value: unknown, path: string, test: (x: number) => boolean, rule: string, optional = false): value is number {
    if (value === undefined && optional) {
      return false;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || !test(value)) {
      this.add(path, `must be ${rule}, got ${describe(value)}`);
      return false;
    }
    return true;
  }

  duration(value: unknown, path: string, optional = false, positive = false): number {
    if (value === undefined && optional) {
      return NaN;
    }
    const ms = parseDuration(value);
    if (Number.isNaN(ms) || (positive && ms <= 0)) {
      this.add(path, `must be a ${positive ? 'positive ' : ''}duration like 1h, 5m or 30s, got ${describe(value)}`);
      return NaN;
    }
    return ms;
  }

  time(value: unknown, path: string): number {
    const ms = parseTime(value);
    if (Number.isNaN(ms)) {
      this.add(path, `must be epoch milliseconds or an ISO-8601 date-time, got ${describe(value)}`);
    }
    return ms;
  }
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

function describe(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  if (typeof value === 'string') {
    return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  }
  return String(value);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known name nearest to a typo, if it is plausibly the intended one. */
function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

const ROOT_KEYS = ['id', 'version', 'title', 'entity', 'step', 'composite', 'signals', 'tiers', 'context'] as const;
const SIGNAL_KEYS = ['id', 'name', 'kind', 'weight', 'direction', 'params', 'source'] as const;
const TIER_KEYS = ['cuts', 'hysteresis', 'minDuration', 'playbook'] as const;
const PLAYBOOK_KEYS = ['action', 'owner', 'escalation', 'runbook'] as const;
const RULE_KEYS = ['id', 'description', 'match', 'multiplier', 'floor', 'suppress', 'modelAge'] as const;
const MODEL_AGE_KEYS = ['label', 'deployedAt', 'youngerThan', 'multiplier'] as const;

/**
 * Check an untrusted value against the ScoreSpec schema and the detectors' parameter rules.
 * Returns every error found (not just the first); on success `spec` has all defaults filled in.
 */
export function validateSpec(input: unknown): SpecResult {
  const c = new Checker();
  try {
    checkRoot(c, input);
  } catch (e) {
    // A validator bug (or a detector's validate throwing) must not escape the API boundary.
    c.add('', `internal validation error: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (c.errors.length > 0) {
    return { ok: false, errors: c.errors };
  }
  try {
    return { ok: true, spec: withDefaults(input as ScoreSpecInput), errors: [] };
  } catch (e) {
    return {
      ok: false,
      errors: [{ path: '', message: `cannot apply defaults: ${e instanceof Error ? e.message : String(e)}` }],
    };
  }
}

function checkRoot(c: Checker, input: unknown): void {
  const root = c.object(input, '', ROOT_KEYS);
  if (!root) {
    return;
  }
  c.string(root.id, 'id', {
    pattern: SPEC_ID,
    patternText: 'letters, digits, _ . : - (starting with a letter or digit)',
  });
  if (root.version !== undefined) {
    const v = root.version;
    const okNumber = typeof v === 'number' && Number.isInteger(v) && v >= 0;
    const okString = typeof v === 'string' && v.trim() !== '';
    if (!okNumber && !okString) {
      c.add('version', `must be a non-negative integer or a version string, got ${describe(v)}`);
    }
  }
  c.string(root.title, 'title', { optional: true, allowEmpty: true });
  checkEntity(c, root.entity);
  if (root.step !== undefined) {
    c.duration(root.step, 'step', false, true);
  }
  if (root.composite !== undefined) {
    const comp = c.object(root.composite, 'composite', ['method', 'rarity']);
    if (comp) {
      c.oneOf(comp.method, 'composite.method', METHODS, true);
      if (comp.rarity !== undefined) {
        const ms = c.duration(comp.rarity, 'composite.rarity', false, true);
        if (ms === ms && !(ms >= 3_600_000 && ms <= 100 * 31_536_000_000)) {
          c.add('composite.rarity', `must be between 1h and 100y, got ${describe(comp.rarity)}`);
        }
      }
    }
  }
  checkSignals(c, root.signals);
  if (root.tiers !== undefined) {
    checkTiers(c, root.tiers);
  }
  if (root.context !== undefined) {
    checkContext(c, root.context);
  }
}

function checkEntity(c: Checker, entity: unknown): void {
  if (entity === undefined) {
    return;
  }
  if (!Array.isArray(entity)) {
    c.add('entity', `must be a list of label names, got ${describe(entity)}`);
    return;
  }
  const seen = new Set<string>();
  entity.forEach((name, i) => {
    if (c.string(name, `entity[${i}]`, { pattern: LABEL_NAME, patternText: 'a Prometheus label name' })) {
      if (seen.has(name)) {
        c.add(`entity[${i}]`, `duplicate label "${name}"`);
      }
      seen.add(name);
    }
  });
}

function checkSignals(c: Checker, signals: unknown): void {
  if (!Array.isArray(signals)) {
    c.add('signals', `must be a list of signals, got ${describe(signals)}`);
    return;
  }
  if (signals.length === 0) {
    c.add('signals', 'must contain at least one signal');
  }
  const seen = new Map<string, number>();
  signals.forEach((raw, i) => {
    const path = `signals[${i}]`;
    const s = c.object(raw, path, SIGNAL_KEYS);
    if (!s) {
      return;
    }
    if (c.string(s.id, `${path}.id`, { pattern: SIGNAL_ID, patternText: '/^[a-z][a-z0-9_]*$/' })) {
      const first = seen.get(s.id);
      if (first !== undefined) {
        c.add(`${path}.id`, `duplicate signal id "${s.id}" (also signals[${first}])`);
      } else {
        seen.set(s.id, i);
      }
    }
    c.string(s.name, `${path}.name`, { optional: true, allowEmpty: true });
    c.number(s.weight, `${path}.weight`, (w) => w > 0, 'a number > 0', true);
    c.oneOf(s.direction, `${path}.direction`, DIRECTIONS, true);
    const kindOk = c.oneOf(s.kind, `${path}.kind`, SIGNAL_KINDS);
    const info = kindOk ? kindInfo(s.kind as SignalKind) : undefined;
    if (kindOk && !info) {
      c.add(`${path}.kind`, `no detector is registered for kind "${String(s.kind)}"`);
    }
    let params: Record<string, unknown> | undefined = {};
    if (s.params !== undefined) {
      params = isPlainObject(s.params) ? s.params : undefined;
      if (!params) {
        c.add(`${path}.params`, `must be an object, got ${describe(s.params)}`);
      }
    }
    if (info && params) {
      for (const e of info.validate({ ...info.defaults, ...params }, `${path}.params`)) {
        c.add(e.path, e.message);
      }
    }
    if (s.source !== undefined) {
      checkSource(c, s.source, `${path}.source`, info?.inputType);
    }
  });
}

function checkSource(c: Checker, raw: unknown, path: string, inputType: InputType | undefined): void {
  const source = c.object(raw, path, ['datasource', 'queries']);
  if (!source) {
    return;
  }
  if (source.datasource !== undefined) {
    const ds = c.object(source.datasource, `${path}.datasource`, ['uid', 'type']);
    if (ds) {
      c.string(ds.uid, `${path}.datasource.uid`, { optional: true });
      c.string(ds.type, `${path}.datasource.type`, { optional: true });
      if (ds.uid === undefined && ds.type === undefined) {
        c.add(`${path}.datasource`, 'needs uid or type');
      }
    }
  }
  const roles = inputType ? QUERY_ROLES[inputType] : undefined;
  const queries = c.object(
    source.queries,
    `${path}.queries`,
    roles ?? Object.keys(isPlainObject(source.queries) ? source.queries : {})
  );
  if (!queries) {
    return;
  }
  for (const [role, q] of Object.entries(queries)) {
    if (!roles || roles.includes(role)) {
      c.string(q, `${path}.queries.${role}`);
    }
  }
  for (const role of roles ?? []) {
    if (!(role in queries)) {
      c.add(`${path}.queries.${role}`, `is required for ${inputType} inputs (roles: ${roles!.join(', ')})`);
    }
  }
}

function checkTiers(c: Checker, raw: unknown): void {
  const tiers = c.object(raw, 'tiers', TIER_KEYS);
  if (!tiers) {
    return;
  }
  const cuts = { ...DEFAULT_CUTS };
  if (tiers.cuts !== undefined) {
    const given = c.object(tiers.cuts, 'tiers.cuts', CUT_TIERS);
    for (const tier of CUT_TIERS) {
      const v = given?.[tier];
      if (c.number(v, `tiers.cuts.${tier}`, (x) => x > 0 && x <= 100, 'a number in (0, 100]', true)) {
        cuts[tier] = v;
      } else if (v !== undefined) {
        cuts[tier] = NaN;
      }
    }
    // Ordering, against the effective (possibly default) value of the tier below.
    for (const [upper, lower] of [
      ['review', 'watch'],
      ['critical', 'review'],
    ] as const) {
      if (given?.[upper] !== undefined || given?.[lower] !== undefined) {
        if (cuts[upper] <= cuts[lower]) {
          c.add(`tiers.cuts.${upper}`, `must be above tiers.cuts.${lower} (${cuts[lower]}), got ${cuts[upper]}`);
        }
      }
    }
  }
  if (c.number(tiers.hysteresis, 'tiers.hysteresis', (h) => h >= 0, 'a number >= 0', true)) {
    if (tiers.hysteresis >= cuts.watch) {
      c.add(
        'tiers.hysteresis',
        `must be below tiers.cuts.watch (${cuts.watch}), or the watch tier could never be left`
      );
    }
  }
  if (tiers.minDuration !== undefined) {
    if (isPlainObject(tiers.minDuration)) {
      const md = c.object(tiers.minDuration, 'tiers.minDuration', CUT_TIERS)!;
      for (const tier of CUT_TIERS) {
        c.duration(md[tier], `tiers.minDuration.${tier}`, true);
      }
    } else {
      c.duration(tiers.minDuration, 'tiers.minDuration');
    }
  }
  if (tiers.playbook !== undefined) {
    const pb = c.object(tiers.playbook, 'tiers.playbook', TIERS);
    for (const tier of TIERS) {
      if (pb?.[tier] === undefined) {
        continue;
      }
      const path = `tiers.playbook.${tier}`;
      const entry = c.object(pb[tier], path, PLAYBOOK_KEYS);
      if (entry) {
        c.string(entry.action, `${path}.action`);
        c.string(entry.owner, `${path}.owner`, { optional: true });
        c.string(entry.escalation, `${path}.escalation`, { optional: true });
        c.string(entry.runbook, `${path}.runbook`, { optional: true });
      }
    }
  }
}

function checkContext(c: Checker, raw: unknown): void {
  if (!Array.isArray(raw)) {
    c.add('context', `must be a list of rules, got ${describe(raw)}`);
    return;
  }
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    const path = `context[${i}]`;
    const rule = c.object(item, path, RULE_KEYS);
    if (!rule) {
      return;
    }
    if (c.string(rule.id, `${path}.id`)) {
      if (seen.has(rule.id)) {
        c.add(`${path}.id`, `duplicate rule id "${rule.id}"`);
      }
      seen.add(rule.id);
    }
    c.string(rule.description, `${path}.description`, { optional: true, allowEmpty: true });
    checkMatch(c, rule.match, `${path}.match`);
    c.number(rule.multiplier, `${path}.multiplier`, (m) => m >= 0, 'a number >= 0', true);
    c.oneOf(rule.floor, `${path}.floor`, TIERS, true);
    if (rule.suppress !== undefined) {
      checkWindows(c, rule.suppress, `${path}.suppress`);
    }
    if (rule.modelAge !== undefined) {
      checkModelAge(c, rule.modelAge, `${path}.modelAge`);
    }
    if (
      rule.multiplier === undefined &&
      rule.floor === undefined &&
      rule.suppress === undefined &&
      rule.modelAge === undefined
    ) {
      c.add(path, 'has no effect: set multiplier, floor, suppress or modelAge');
    }
  });
}

function checkMatch(c: Checker, raw: unknown, path: string): void {
  if (raw === undefined) {
    c.add(path, 'is required: an object of label -> value or /regex/ ({} matches every entity)');
    return;
  }
  const match = c.object(raw, path, Object.keys(isPlainObject(raw) ? raw : {}));
  if (!match) {
    return;
  }
  for (const [label, value] of Object.entries(match)) {
    if (!LABEL_NAME.test(label)) {
      c.add(`${path}.${label}`, 'is not a Prometheus label name');
    }
    if (typeof value !== 'string') {
      c.add(`${path}.${label}`, `must be a string (exact value or /regex/), got ${describe(value)}`);
      continue;
    }
    const re = regexMatcherParts(value);
    if (re) {
      try {
        new RegExp(re.source, re.flags);
      } catch (e) {
        c.add(`${path}.${label}`, `invalid regular expression: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

function checkWindows(c: Checker, raw: unknown, path: string): void {
  if (!Array.isArray(raw)) {
    c.add(path, `must be a list of {from, to} windows, got ${describe(raw)}`);
    return;
  }
  raw.forEach((item, j) => {
    const w = c.object(item, `${path}[${j}]`, ['from', 'to']);
    if (!w) {
      return;
    }
    const from = c.time(w.from, `${path}[${j}].from`);
    const to = c.time(w.to, `${path}[${j}].to`);
    if (from > to) {
      c.add(`${path}[${j}].to`, 'must not be before from');
    }
  });
}

function checkModelAge(c: Checker, raw: unknown, path: string): void {
  const age = c.object(raw, path, MODEL_AGE_KEYS);
  if (!age) {
    return;
  }
  c.string(age.label, `${path}.label`, { optional: true, pattern: LABEL_NAME, patternText: 'a Prometheus label name' });
  if (age.deployedAt !== undefined) {
    c.time(age.deployedAt, `${path}.deployedAt`);
  }
  if (age.label === undefined && age.deployedAt === undefined) {
    c.add(path, 'needs label (a label holding the deployment time) or deployedAt');
  }
  c.duration(age.youngerThan, `${path}.youngerThan`, false, true);
  c.number(age.multiplier, `${path}.multiplier`, (m) => m >= 0, 'a number >= 0');
}

// ---------------------------------------------------------------------------------------------
// Text: YAML or JSON in, YAML or JSON out
// ---------------------------------------------------------------------------------------------

/** `signals[2].params.window` -> ['signals', 2, 'params', 'window']. */
export function splitPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    out.push(part.startsWith('[') ? Number(part.slice(1, -1)) : part);
  }
  return out;
}

/** The deepest node of the document on the path (the error may concern a field that is absent). */
function nodeAt(doc: ReturnType<typeof parseDocument>, path: Array<string | number>): YamlNode | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (node && (isScalar(node) || isMap(node) || isSeq(node))) {
      return node;
    }
  }
  const root = doc.contents;
  return root && (isMap(root) || isSeq(root) || isScalar(root)) ? root : undefined;
}

/**
 * Parse YAML or JSON text (JSON is read as YAML 1.2, its superset) and validate it.
 * Syntax errors name their line and column; validation errors carry the line of the offending node.
 */
export function parseSpec(text: string): SpecResult {
  if (typeof text !== 'string') {
    return { ok: false, errors: [{ path: '', message: `expected text, got ${describe(text)}` }] };
  }
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      return {
        ok: false,
        errors: doc.errors.map((e) => {
          const pos = lineCounter.linePos(e.pos[0]);
          const reason = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
          return {
            path: '',
            message: `line ${pos.line}, column ${pos.col}: ${reason}`,
            line: pos.line,
            column: pos.col,
          };
        }),
      };
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    const result = validateSpec(value);
    for (const e of result.errors) {
      const node = nodeAt(doc, splitPath(e.path));
      if (node?.range) {
        const pos = lineCounter.linePos(node.range[0]);
        e.line = pos.line;
        e.column = pos.col;
      }
    }
    return result;
  } catch (e) {
    return {
      ok: false,
      errors: [{ path: '', message: `cannot read the spec: ${e instanceof Error ? e.message : String(e)}` }],
    };
  }
}

/** Print a spec; parseSpec(stringifySpec(spec, f)).spec deep-equals spec for a valid, defaulted spec. */
export function stringifySpec(spec: ScoreSpec, format: 'yaml' | 'json' = 'yaml'): string {
  return format === 'json' ? JSON.stringify(spec, null, 2) + '\n' : yamlStringify(spec, { lineWidth: 0 });
}

/** One line per error, `path: reason (line N)`, for CLIs and editors. */
export function formatSpecErrors(errors: readonly SpecError[]): string {
  return errors
    .map(
      (e) =>
        `${e.path || '(spec)'}: ${e.message}${e.line !== undefined && !e.message.startsWith('line ') ? ` (line ${e.line})` : ''}`
    )
    .join('\n');
}
