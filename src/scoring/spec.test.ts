/** @jest-environment node */
import fc from 'fast-check';

import {
  formatSpecErrors,
  parseSpec,
  parseTime,
  ScoreSpecInput,
  splitPath,
  stringifySpec,
  tierConfigOf,
  validateSpec,
  withDefaults,
} from './spec';

const MINIMAL: ScoreSpecInput = {
  id: 'fraud-model',
  signals: [{ id: 'latency', kind: 'robust_z' }],
};

const FULL_YAML = `
id: fraud-model
version: 3
title: Fraud model health
entity: [model, version, endpoint]
step: 1m
composite:
  method: evidence
signals:
  - id: latency
    name: p99 latency
    kind: robust_z
    weight: 1.5
    direction: up
    params: { window: 2h, warn: 3, max: 8 }
    source:
      datasource: { uid: prom, type: prometheus }
      queries:
        value: histogram_quantile(0.99, sum by (le, model) (rate(latency_bucket[5m])))
  - id: errors
    kind: ratio
    source:
      queries:
        numerator: sum(rate(errors_total[1m]))
        denominator: sum(rate(requests_total[1m]))
  - id: input_drift
    kind: histogram_drift
    params: { metric: js }
tiers:
  cuts: { watch: 30, review: 55, critical: 80 }
  hysteresis: 4
  minDuration: { critical: 5m }
  playbook:
    critical: { action: roll back, owner: ml-oncall, runbook: https://runbooks/fraud }
context:
  - id: regulated
    match: { model: /fraud.*/ }
    floor: review
  - id: vip
    match: { endpoint: checkout }
    multiplier: 2
  - id: maintenance
    match: {}
    suppress: [{ from: '2024-05-01T10:00:00Z', to: 1714561200000 }]
  - id: young
    match: {}
    modelAge: { label: deployed_at, youngerThan: 1d, multiplier: 1.5 }
`;

describe('withDefaults', () => {
  it('fills every default', () => {
    const spec = withDefaults(MINIMAL);
    expect(spec.version).toBe(1);
    expect(spec.entity).toEqual([]);
    expect(spec.composite.method).toBe('evidence');
    expect(spec.tiers.cuts).toEqual({ watch: 25, review: 50, critical: 75 });
    expect(spec.tiers.hysteresis).toBe(5);
    expect(spec.tiers.minDuration).toBe('0s');
    expect(spec.tiers.playbook.critical.action).toMatch(/contain/);
    expect(spec.tiers.playbook.review.action).toBe('human review');
    expect(spec.tiers.playbook.watch.action).toMatch(/retrain candidate/);
    expect(spec.tiers.playbook.ok.action).toBe('none');
    expect(spec.signals[0]).toMatchObject({ id: 'latency', kind: 'robust_z', weight: 1, direction: 'both' });
    expect(spec.signals[0].params.window).toBe('1h');
    expect(spec.context).toEqual([]);
  });

  it('is idempotent', () => {
    const once = withDefaults(MINIMAL);
    expect(withDefaults(once)).toEqual(once);
  });
});

describe('validateSpec', () => {
  it('accepts the full example and resolves tiers', () => {
    const r = parseSpec(FULL_YAML);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    const spec = r.spec!;
    expect(spec.signals[0].params).toMatchObject({ window: '2h', warn: 3, max: 8, warmup: 20 });
    expect(spec.tiers.playbook.critical).toEqual({
      action: 'roll back',
      owner: 'ml-oncall',
      runbook: 'https://runbooks/fraud',
    });
    expect(spec.tiers.playbook.review.action).toBe('human review');
    expect(tierConfigOf(spec)).toEqual({
      cuts: { watch: 30, review: 55, critical: 80 },
      hysteresis: 4,
      minDurationMs: { watch: 0, review: 0, critical: 300_000 },
    });
  });

  it('reports every error with its path and reason', () => {
    const r = validateSpec({
      id: 'x',
      wieght: 1,
      signals: [
        { id: 'ok_one', kind: 'robust_z' },
        { id: 'Bad-Id', kind: 'robust_zz', weight: 0 },
        { id: 'ok_one', kind: 'robust_z', params: { window: 'soon' }, direction: 'sideways' },
        { id: 'errs', kind: 'ratio', source: { queries: { numerator: 'a' } } },
      ],
      tiers: { cuts: { watch: 25, review: 20 }, hysteresis: -1, minDuration: 'later' },
      context: [{ id: 'r', match: { model: '/(/' } }],
    });
    expect(r.ok).toBe(false);
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e.message]));
    expect(byPath['wieght']).toMatch(/unknown field/);
    expect(byPath['signals[1].id']).toMatch(/must match/);
    expect(byPath['signals[1].kind']).toMatch(/did you mean "robust_z"/);
    expect(byPath['signals[1].weight']).toMatch(/> 0/);
    expect(byPath['signals[2].id']).toMatch(/duplicate signal id "ok_one" \(also signals\[0\]\)/);
    expect(byPath['signals[2].params.window']).toMatch(/must be a duration like 1h/);
    expect(byPath['signals[2].direction']).toMatch(/one of up, down, both/);
    expect(byPath['signals[3].source.queries.denominator']).toMatch(/required for ratio inputs/);
    expect(byPath['tiers.cuts.review']).toBe('must be above tiers.cuts.watch (25), got 20');
    expect(byPath['tiers.hysteresis']).toMatch(/>= 0/);
    expect(byPath['tiers.minDuration']).toMatch(/duration like 1h/);
    expect(byPath['context[0].match.model']).toMatch(/invalid regular expression/);
    expect(byPath['context[0]']).toMatch(/has no effect/);
    expect(r.errors.length).toBeGreaterThanOrEqual(13);
  });

  it('checks cut order against defaults, hysteresis against the watch cut, and windows', () => {
    const r = validateSpec({
      ...MINIMAL,
      tiers: { cuts: { critical: 40 }, hysteresis: 30 },
      context: [
        {
          id: 'm',
          match: {},
          suppress: [
            { from: 2000, to: 1000 },
            { from: 'yesterday', to: 1 },
          ],
        },
      ],
    });
    const messages = formatSpecErrors(r.errors);
    expect(messages).toContain('tiers.cuts.critical: must be above tiers.cuts.review (50), got 40');
    expect(messages).toContain('tiers.hysteresis: must be below tiers.cuts.watch (25)');
    expect(messages).toContain('context[0].suppress[0].to: must not be before from');
    expect(messages).toContain('context[0].suppress[1].from: must be epoch milliseconds or an ISO-8601 date-time');
  });

  it('requires signals and an object', () => {
    expect(validateSpec(null).errors).toEqual([{ path: '', message: 'must be an object, got null' }]);
    expect(validateSpec({ id: 'a', signals: [] }).errors[0]).toEqual({
      path: 'signals',
      message: 'must contain at least one signal',
    });
    expect(validateSpec({ signals: [{ id: 'a', kind: 'robust_z' }] }).errors[0].path).toBe('id');
  });

  it('model age needs a label or a deployment time', () => {
    const r = validateSpec({
      ...MINIMAL,
      context: [{ id: 'y', match: {}, modelAge: { youngerThan: '1d', multiplier: 2 } }],
    });
    expect(r.errors).toEqual([
      { path: 'context[0].modelAge', message: 'needs label (a label holding the deployment time) or deployedAt' },
    ]);
  });
});

describe('parseSpec', () => {
  it('names line and column of syntax errors', () => {
    const r = parseSpec('id: a\nsignals: [\n  - x\n');
    expect(r.ok).toBe(false);
    expect(r.errors[0].line).toBeGreaterThan(0);
    expect(r.errors[0].message).toMatch(/^line \d+, column \d+: /);
  });

  it('attaches lines to validation errors', () => {
    const r = parseSpec('id: a\nsignals:\n  - id: lat\n    kind: robust_z\n    params:\n      window: soon\n');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ path: 'signals[0].params.window', line: 6 });
    expect(formatSpecErrors(r.errors)).toContain('(line 6)');
  });

  it('reads JSON too and rejects duplicate keys', () => {
    expect(parseSpec(JSON.stringify(MINIMAL)).ok).toBe(true);
    const dup = parseSpec('id: a\nid: b\nsignals: [{id: x, kind: robust_z}]\n');
    expect(dup.ok).toBe(false);
  });

  it('round-trips through YAML and JSON', () => {
    const spec = parseSpec(FULL_YAML).spec!;
    for (const format of ['yaml', 'json'] as const) {
      const again = parseSpec(stringifySpec(spec, format));
      expect(again.errors).toEqual([]);
      expect(again.spec).toEqual(spec);
    }
  });

  it('splits paths', () => {
    expect(splitPath('signals[2].params.window')).toEqual(['signals', 2, 'params', 'window']);
    expect(parseTime('2024-05-01T10:00:00Z')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseTime('1714561200000')).toBe(1714561200000);
    expect(parseTime('soon')).toBeNaN();
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('spec: properties', () => {
  it('validateSpec and parseSpec never throw on garbage and always explain a failure', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true, withBoxedValues: true }), (x) => {
        const r = validateSpec(x);
        const p = parseSpec(typeof x === 'string' ? x : (JSON.stringify(x) ?? ''));
        return (r.ok || r.errors.length > 0) && (p.ok || p.errors.length > 0);
      }),
      { numRuns: 3000 }
    );
  });

  it('never throws on mutated near-valid specs, and every error has a path and a reason', () => {
    const base = parseSpec(FULL_YAML).spec!;
    const leafValue = fc.oneof(fc.anything(), fc.constantFrom('', '1h', '/x/', -1, 0, 1e309, null, [], {}));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), leafValue), { minLength: 1, maxLength: 4 }), (mutations) => {
        const copy = JSON.parse(JSON.stringify(base));
        for (const [pick, value] of mutations) {
          const paths = leafPaths(copy);
          if (paths.length > 0) {
            setPath(copy, paths[pick % paths.length], value);
          }
        }
        const r = validateSpec(copy);
        return r.ok || r.errors.every((e) => typeof e.path === 'string' && e.message.length > 0);
      }),
      { numRuns: 3000 }
    );
  });

  it('parseSpec never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const r = parseSpec(text);
        return r.ok || r.errors.length > 0;
      }),
      { numRuns: 3000 }
    );
  });

  it('valid specs round-trip through YAML and JSON', () => {
    const signalArb = fc.record({
      id: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/),
      kind: fc.constantFrom('robust_z' as const, 'level_shift' as const, 'staleness' as const),
      weight: fc.double({ min: 0.01, max: 10, noNaN: true }),
      direction: fc.constantFrom('up' as const, 'down' as const, 'both' as const),
    });
    const specArb = fc.record({
      id: fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/),
      title: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      signals: fc.uniqueArray(signalArb, { minLength: 1, maxLength: 4, selector: (s) => s.id }),
      composite: fc.record({ method: fc.constantFrom('evidence' as const, 'weighted_mean' as const, 'max' as const) }),
      tiers: fc.record({ hysteresis: fc.double({ min: 0, max: 20, noNaN: true }) }),
    });
    fc.assert(
      fc.property(specArb, (input) => {
        const clean = JSON.parse(JSON.stringify(input));
        const r = validateSpec(clean);
        if (!r.ok) {
          return false;
        }
        return ['yaml', 'json'].every((f) => {
          const again = parseSpec(stringifySpec(r.spec!, f as 'yaml' | 'json'));
          return again.ok && JSON.stringify(again.spec) === JSON.stringify(r.spec);
        });
      }),
      { numRuns: 2000 }
    );
  });
});

function leafPaths(x: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (x === null || typeof x !== 'object') {
    return [prefix];
  }
  const entries = Array.isArray(x) ? x.map((v, i) => [i, v] as const) : Object.entries(x as Record<string, unknown>);
  const out: Array<Array<string | number>> = prefix.length > 0 ? [prefix] : [];
  for (const [k, v] of entries) {
    out.push(...leafPaths(v, [...prefix, k]));
  }
  return out;
}

function setPath(root: Record<string, unknown>, path: Array<string | number>, value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    node = node[path[i]] as Record<string | number, unknown>;
  }
  node[path[path.length - 1]] = value;
}

describe('composite.rarity: the entity target split across the rarity signals', () => {
  const base = {
    id: 'split',
    signals: [
      { id: 'a', kind: 'robust_z' as const },
      { id: 'b', kind: 'ratio' as const },
      { id: 'c', kind: 'level_shift' as const, params: { rarity: '2d' } },
      { id: 'ramp', kind: 'seasonal' as const, params: { warn: 3 } },
      { id: 'slo', kind: 'threshold' as const, params: { above: 1 } },
    ],
  };

  it('gives each rarity signal without its own rarity target × n (n = 3 here); others are left alone', () => {
    const s = withDefaults({ ...base, composite: { rarity: '10d' } });
    expect(s.composite.rarity).toBe('10d');
    expect(s.signals.map((x) => x.params.rarity)).toEqual(['30d', '30d', '2d', null, undefined]);
    expect(withDefaults(base).signals[0].params.rarity).toBe('90d'); // default 30d × 3
  });

  it('is idempotent and refuses targets that are not durations in range', () => {
    const once = withDefaults(base);
    expect(withDefaults(once)).toEqual(once);
    expect(validateSpec({ ...base, composite: { rarity: 'often' } }).errors[0]).toMatchObject({
      path: 'composite.rarity',
    });
    expect(validateSpec({ ...base, composite: { rarity: '10m' } }).errors[0]).toEqual({
      path: 'composite.rarity',
      message: 'must be between 1h and 100y, got "10m"',
    });
  });
});
