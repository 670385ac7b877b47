/** @jest-environment node */
import { parse } from 'yaml';

import {
  compileRules,
  grafanaApiRules,
  grafanaProvisioning,
  grafanaUid,
  leRegex,
  lokiRulesYaml,
  parseLes,
  prometheusRulesYaml,
  type AlertingRule,
  type CompiledRules,
  type RecordingRule,
} from './index';
import { dur, matcher, num, quote, ramp, vmax } from './promql';
import type { ScoreSpecInput } from '../spec';

const BY = 'model, region';

function spec(overrides: Partial<ScoreSpecInput> = {}): ScoreSpecInput {
  return {
    id: 'fraud',
    entity: ['model', 'region'],
    step: '1m',
    signals: [
      {
        id: 'lat',
        kind: 'robust_z',
        params: { severity: 'ramp', window: '1h', warmup: 10 },
        source: { queries: { value: `histogram_quantile(0.95, sum by (${BY}, le) (rate(x_bucket[5m])))` } },
      },
      {
        id: 'errs',
        kind: 'ratio',
        params: { severity: 'ramp', window: '5m', baseline: '1h' },
        source: {
          queries: {
            numerator: 'sum by (model, region) (increase(e[1m]))',
            denominator: 'sum by (model, region) (increase(r[1m]))',
          },
        },
      },
      {
        id: 'lag',
        kind: 'staleness',
        params: { severity: 'ramp' },
        source: { queries: { value: 'max by (model, region) (ts_seconds)' } },
      },
      { id: 'slo', kind: 'threshold', params: { above: 2 }, source: { queries: { value: 'p99' } } },
    ],
    ...overrides,
  };
}

function ok(input: unknown, options = {}): CompiledRules {
  const r = compileRules(input, options);
  if (!r.ok) {
    throw new Error(r.errors.join('\n'));
  }
  return r.rules!;
}

const recording = (c: CompiledRules) => c.prometheus[0].rules.filter((r): r is RecordingRule => 'record' in r);
const alerting = (c: CompiledRules) => c.prometheus[0].rules.filter((r): r is AlertingRule => 'alert' in r);
const rule = (c: CompiledRules, record: string, signal?: string) =>
  recording(c).find((r) => r.record === record && (signal === undefined || r.labels?.signal === signal));

describe('promql helpers', () => {
  it('writes numbers, durations, quotes and matchers', () => {
    expect(num(0.25)).toBe('0.25');
    expect(() => num(NaN)).toThrow(/NaN/);
    expect(dur(90_000)).toBe('90s');
    expect(dur(1500)).toBe('1500ms');
    expect(() => dur(0)).toThrow();
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(matcher('model', 'fraud')).toBe('model="fraud"');
    expect(matcher('model', '/fr.*/i')).toBe('model=~"(?i)fr.*"');
  });

  it('matches le bounds however clients print them', () => {
    expect(leRegex(Infinity)).toBe('\\+Inf');
    expect(leRegex(1)).toBe('1|1\\.0');
    expect(leRegex(0.25)).toBe('0\\.25');
    expect(new RegExp(`^(?:${leRegex(0.00001)})$`).test('1e-05')).toBe(true);
  });

  it('builds the smoothstep ramp and a step when max <= warn', () => {
    expect(ramp('x', 3, 7)).toBe('(clamp((x - 3) / 4, 0, 1) ^ 2 * (3 - 2 * clamp((x - 3) / 4, 0, 1)))');
    expect(ramp('x', 3, 3)).toBe('(x > bool 3)');
    expect(vmax('a', 'b')).toBe('((a) > (b) or (b))');
  });

  it('parses bucket bounds', () => {
    expect(parseLes([0.1, '0.5', '+Inf'])).toEqual([0.1, 0.5, Infinity]);
    expect(parseLes([])).toMatch(/non-empty/);
    expect(parseLes([1, 1])).toMatch(/ascending/);
    expect(parseLes(['x'])).toMatch(/not a bucket bound/);
    expect(parseLes('1,2')).toMatch(/non-empty list/);
  });
});

describe('compileRules', () => {
  it('records inputs by entity labels with spec and signal labels', () => {
    const c = ok(spec());
    const input = rule(c, 'anomaly:input:value', 'lat')!;
    expect(input.expr).toMatch(/^sum by \(model, region\) \(\n {2}histogram_quantile/);
    expect(input.labels).toEqual({ spec: 'fraud', signal: 'lat' });
    expect(rule(c, 'anomaly:input:numerator', 'errs')).toBeDefined();
    expect(rule(c, 'anomaly:input:denominator', 'errs')).toBeDefined();
    expect(c.prometheus[0].name).toBe('anomaly-score:fraud');
    expect(c.prometheus[0].interval).toBe('60s');
    expect(c.compiled).toEqual(['lat', 'errs', 'lag', 'slo']);
    expect(c.unsupported).toEqual([]);
  });

  it('robust_z: rolling median of the W points before t, MAD pinned at the evaluation time', () => {
    const c = ok(spec());
    expect(rule(c, 'anomaly:signal:median', 'lat')!.expr).toBe(
      'quantile_over_time(0.5, anomaly:input:value{spec="fraud",signal="lat"}[3570s] offset 60s)'
    );
    const scale = rule(c, 'anomaly:signal:scale', 'lat')!.expr;
    expect(scale).toContain('@ end()');
    expect(scale).toContain('[3600s:60s]');
    expect(scale).toContain('1.482602218505602 * quantile_over_time(0.5,');
    expect(scale).toContain('1.2533141373155003 * avg_over_time(');
    expect(scale).toContain('(0.01 * abs(anomaly:signal:median{spec="fraud",signal="lat"}) + 1e-9)');
    expect(rule(c, 'anomaly:signal:statistic', 'lat')!.expr).toContain('>= 10)');
    // Default direction both: |z| into the default ramp 3..7.
    expect(rule(c, 'anomaly:signal:severity', 'lat')!.expr).toBe(
      ramp('abs(anomaly:signal:statistic{spec="fraud",signal="lat"})', 3, 7)
    );
  });

  it('ratio: window sums, baseline rate with +0.5/+1, binomial deviance on the up side only', () => {
    const c = ok(spec());
    expect(rule(c, 'anomaly:signal:current_total', 'errs')!.expr).toContain(
      'sum_over_time(anomaly:input:denominator{spec="fraud",signal="errs"}[270s]) > 0'
    );
    const p0 = rule(c, 'anomaly:signal:baseline_rate', 'errs')!.expr;
    expect(p0).toContain(
      '+ 0.5) / (sum_over_time(anomaly:input:denominator{spec="fraud",signal="errs"}[3570s] offset 300s) + 1)'
    );
    expect(rule(c, 'anomaly:signal:z_up', 'errs')!.expr).toContain('sgn(');
    expect(rule(c, 'anomaly:signal:z_down', 'errs')).toBeUndefined();
    const both = ok(spec({ signals: [{ ...spec().signals[1], direction: 'both' }] }));
    expect(rule(both, 'anomaly:signal:severity', 'errs')!.expr).toMatch(/z_up.*\+.*z_down/s);
  });

  it('staleness and threshold', () => {
    const c = ok(spec());
    expect(rule(c, 'anomaly:signal:statistic', 'lag')!.expr).toBe(
      'time() - last_over_time(anomaly:input:value{spec="fraud",signal="lag"}[5400s])'
    );
    expect(rule(c, 'anomaly:signal:severity', 'lag')!.expr).toBe(
      ramp('anomaly:signal:statistic{spec="fraud",signal="lag"}', 600, 3600)
    );
    expect(rule(c, 'anomaly:signal:excess', 'slo')!.expr).toBe(
      'clamp_min(anomaly:input:value{spec="fraud",signal="slo"} - 2, 0)'
    );
    expect(rule(c, 'anomaly:signal:severity', 'slo')!.expr).toBe(
      '(anomaly:signal:excess{spec="fraud",signal="slo"} > bool 0)'
    );
    const soft = ok(
      spec({
        signals: [
          {
            id: 'slo',
            kind: 'threshold',
            params: { above: 2, below: 1, soft: 0.5 },
            source: { queries: { value: 'x' } },
          },
        ],
      })
    );
    expect(rule(soft, 'anomaly:signal:excess', 'slo')!.expr).toBe(
      'clamp_min(anomaly:input:value{spec="fraud",signal="slo"} - 2, 0) + clamp_min(1 - anomaly:input:value{spec="fraud",signal="slo"}, 0)'
    );
  });

  it('composite: evidence, score, contributions and the cut-based tier', () => {
    const c = ok(spec());
    expect(rule(c, 'anomaly:signal:evidence', 'lat')!.expr).toBe(
      '-1 * ln(1 - clamp(anomaly:signal:severity{spec="fraud",signal="lat"}, 0, 0.999999999999))'
    );
    expect(rule(c, 'anomaly:evidence:raw')!.expr).toMatch(
      /^sum by \(spec, model, region\) \(anomaly:signal:evidence\{spec="fraud"\}\) or /
    );
    expect(rule(c, 'anomaly:score')!.expr).toBe('100 * (1 - exp(-anomaly:evidence{spec="fraud"}))');
    expect(rule(c, 'anomaly:contribution')!.expr).toContain('ignoring (signal) group_left ()');
    expect(rule(c, 'anomaly:tier')!.expr).toBe(
      '(anomaly:score{spec="fraud"} >= bool 25) + (anomaly:score{spec="fraud"} >= bool 50) + (anomaly:score{spec="fraud"} >= bool 75)'
    );
    for (const r of recording(c)) {
      expect(r.labels?.spec).toBe('fraud');
    }
  });

  it('other composite methods', () => {
    const wm = ok(spec({ composite: { method: 'weighted_mean' } }));
    expect(rule(wm, 'anomaly:signal:part', 'lat')!.expr).toBe(
      '1 * clamp(anomaly:signal:severity{spec="fraud",signal="lat"}, 0, 1)'
    );
    expect(rule(wm, 'anomaly:evidence:raw')!.expr).toContain('anomaly:signal:weight');
    const mx = ok(spec({ composite: { method: 'max' } }));
    expect(rule(mx, 'anomaly:evidence:raw')!.expr).toContain(
      'max by (spec, model, region) (anomaly:signal:part{spec="fraud"})'
    );
    expect(mx.approximations.join(' ')).toMatch(/ties/);
  });

  it('context: multipliers, model age, floors and suppression', () => {
    const c = ok(
      spec({
        context: [
          { id: 'vip', match: { model: 'fraud' }, multiplier: 2 },
          { id: 'regulated', match: { region: '/eu.*/' }, floor: 'review' },
          { id: 'maint', match: {}, suppress: [{ from: '2025-01-01T00:00:00Z', to: '2025-01-01T01:00:00Z' }] },
          { id: 'young', match: {}, modelAge: { deployedAt: 0, youngerThan: '1d', multiplier: 1.5 } },
          { id: 'byLabel', match: {}, modelAge: { label: 'deployed', youngerThan: '1d', multiplier: 1.5 } },
        ],
      })
    );
    const ev = rule(c, 'anomaly:evidence')!.expr;
    expect(ev).toContain(
      '(0 * anomaly:evidence:raw{spec="fraud",model="fraud"} + 2 or 0 * anomaly:evidence:raw{spec="fraud"} + 1)'
    );
    expect(ev).toContain('vector(time()) < 86400');
    expect(rule(c, 'anomaly:tier')!.expr).toContain('clamp_min(anomaly:tier:raw{spec="fraud",region=~"eu.*"}, 2)');
    expect(rule(c, 'anomaly:suppressed')!.expr).toContain('vector(time()) >= 1735689600');
    expect(c.unsupportedContext).toEqual([{ rule: 'byLabel', reason: expect.stringMatching(/label value/) }]);
    const yml = prometheusRulesYaml(c);
    expect(yml).toContain('# NOT COMPILED context rule byLabel');
  });

  it('lists signals it cannot compile with the reason, never dropping them silently', () => {
    const c = ok(
      spec({
        signals: [
          ...spec().signals,
          { id: 'shift', kind: 'level_shift', params: { severity: 'ramp' }, source: { queries: { value: 'x' } } },
          { id: 'drift', kind: 'histogram_drift', params: { severity: 'ramp' }, source: { queries: { buckets: 'b' } } },
          {
            id: 'cal',
            kind: 'calibration',
            params: { severity: 'ramp' },
            source: { queries: { buckets: 'b', correct: 'c' } },
          },
          { id: 'nosrc', kind: 'robust_z' },
          {
            id: 'es',
            kind: 'robust_z',
            params: { severity: 'ramp' },
            source: { datasource: { type: 'elasticsearch' }, queries: { value: 'x' } },
          },
        ],
      })
    );
    expect(c.unsupported.map((u) => u.signal)).toEqual(['shift', 'drift', 'cal', 'nosrc', 'es']);
    expect(c.unsupported[4].reason).toMatch(/elasticsearch/);
    expect(c.unsupported[0].reason).toMatch(/CUSUM/);
    expect(c.unsupported[1].reason).toMatch(/le bounds/);
    expect(c.unsupported[3].reason).toMatch(/no source.queries/);
    expect(recording(c).some((r) => r.labels?.signal === 'shift')).toBe(false);
    const yml = prometheusRulesYaml(c);
    for (const id of ['shift', 'drift', 'cal', 'nosrc']) {
      expect(yml).toMatch(new RegExp(`^#\\s+- ${id} \\(`, 'm'));
    }
    expect(parse(yml).groups[0].rules.length).toBe(c.prometheus[0].rules.length);
  });

  it('compiles histogram drift and calibration given the bucket bounds', () => {
    const c = ok(
      spec({
        signals: [
          {
            id: 'drift',
            kind: 'histogram_drift',
            params: { severity: 'ramp', metric: 'js' },
            source: { queries: { buckets: 'b' } },
          },
          {
            id: 'hel',
            kind: 'histogram_drift',
            params: { severity: 'ramp', metric: 'hellinger' },
            source: { queries: { buckets: 'b' } },
          },
          {
            id: 'cal',
            kind: 'calibration',
            params: { severity: 'ramp' },
            source: { queries: { buckets: 'b', correct: 'c' } },
          },
          {
            id: 'cal_abs',
            kind: 'calibration',
            params: { severity: 'ramp', reference: 'absolute' },
            source: { queries: { buckets: 'b', correct: 'c' } },
          },
        ],
      }),
      { buckets: { drift: [0.5, 1, '+Inf'], hel: [1, '+Inf'], cal: [0.6, 0.9, '+Inf'], cal_abs: [0.9, '+Inf'] } }
    );
    expect(c.unsupported).toEqual([]);
    expect(rule(c, 'anomaly:input:bucket', 'drift')!.expr).toMatch(/^sum by \(model, region, le\)/);
    const masses = rule(c, 'anomaly:signal:current_mass', 'drift')!.expr;
    expect(masses).toContain('le=~"0\\\\.5"');
    expect(masses).toContain('"bin", "2"');
    expect(rule(c, 'anomaly:signal:statistic', 'drift')!.expr).toContain('log2(');
    expect(rule(c, 'anomaly:signal:statistic', 'hel')!.expr).toMatch(
      /^sqrt\(clamp_min\(1 - sum without \(bin\) \(sqrt\(/
    );
    expect(rule(c, 'anomaly:signal:expected', 'cal')!.expr).toContain('baseline_correct_mass');
    expect(rule(c, 'anomaly:signal:expected', 'cal_abs')).toBeUndefined();
    // Midpoints 0.3, 0.75, 0.95 of le = [0.6, 0.9, +Inf].
    expect(rule(c, 'anomaly:signal:statistic', 'cal')!.expr).toContain(
      'label_replace(vector(0.75), "bin", "1", "", "")'
    );
  });

  it('records log signals in a Loki group and the rest in the Prometheus group', () => {
    const c = ok(
      spec({
        signals: [
          {
            id: 'logs',
            kind: 'robust_z',
            params: { severity: 'ramp' },
            source: {
              datasource: { type: 'loki' },
              queries: { value: 'sum by (model, region) (count_over_time({app="x"}[5m]))' },
            },
          },
        ],
      })
    );
    expect(c.logSignals).toEqual(['logs']);
    expect(c.loki[0].name).toBe('anomaly-score:fraud:loki');
    expect((c.loki[0].rules[0] as RecordingRule).record).toBe('anomaly:input:value');
    expect(recording(c).some((r) => r.record.startsWith('anomaly:input:'))).toBe(false);
    const loki = parse(lokiRulesYaml(c));
    expect(loki.groups[0].rules[0].labels).toEqual({ spec: 'fraud', signal: 'logs' });
    expect(lokiRulesYaml(c)).toContain('remote-written');
  });

  it('alerts per tier with for:, severity, playbook annotations and hysteresis through ALERTS', () => {
    const c = ok(
      spec({
        tiers: {
          minDuration: { review: '5m', critical: '10m' },
          playbook: { critical: { action: 'roll back', runbook: 'https://runbooks/x', owner: 'sre' } },
        },
      }),
      { keepFiringFor: '5m' }
    );
    const alerts = alerting(c);
    expect(alerts.map((a) => a.alert)).toEqual([
      'AnomalyScoreWatch',
      'AnomalyScoreReview',
      'AnomalyScoreCritical',
      'AnomalyScoreContributor',
    ]);
    const crit = alerts[2];
    expect(crit.for).toBe('600s');
    expect(alerts[0].for).toBeUndefined();
    expect(crit.keep_firing_for).toBe('5m');
    expect(crit.labels).toEqual({ severity: 'critical', tier: 'critical', spec: 'fraud' });
    expect(crit.annotations.runbook_url).toBe('https://runbooks/x');
    expect(crit.annotations.recommended_action).toBe('roll back');
    expect(crit.annotations.summary).toContain('{{ $value | printf "%.1f" }}');
    expect(crit.annotations.summary).toContain('model={{ $labels.model }}');
    expect(crit.annotations.description).not.toMatch(/\bquery\b/);
    expect(crit.expr).toContain('anomaly:tier{spec="fraud"} >= 3');
    expect(crit.expr).toContain('ALERTS{alertname="AnomalyScoreCritical",alertstate="firing",spec="fraud"}');
    expect(crit.expr).toContain('>= 70');
    expect(alerts[3].annotations.summary).toContain('{{ $labels.signal }}');
    const noHyst = alerting(ok(spec({ tiers: { hysteresis: 0 } }), { contributorAlerts: false }));
    expect(noHyst.map((a) => a.alert)).toEqual(['AnomalyScoreWatch', 'AnomalyScoreReview', 'AnomalyScoreCritical']);
    expect(noHyst[0].expr).not.toContain('ALERTS');
  });

  describe('error paths', () => {
    it('reports an invalid spec with paths', () => {
      const r = compileRules({ id: 'x', signals: [{ id: 'a', kind: 'nope' }] });
      expect(r.ok).toBe(false);
      expect(r.errors.join('\n')).toMatch(/signals\[0\]\.kind/);
      expect(compileRules(null).ok).toBe(false);
    });

    it('reports bad options', () => {
      const cases: Array<[object, RegExp]> = [
        [{ step: 'soon' }, /step: must be a duration/],
        [{ step: '500ms' }, /at least 1s/],
        [{ keepFiringFor: 'x' }, /keepFiringFor/],
        [{ alertPrefix: 'bad name' }, /alertPrefix/],
        [{ buckets: { nope: [1] } }, /buckets\.nope: no signal/],
        [{ buckets: { lat: [1] } }, /only histogram_drift and calibration/],
      ];
      for (const [options, re] of cases) {
        const r = compileRules(spec(), options);
        expect(r.ok).toBe(false);
        expect(r.errors.join('\n')).toMatch(re);
      }
      const withDrift = spec({
        signals: [
          { id: 'd', kind: 'histogram_drift', params: { severity: 'ramp' }, source: { queries: { buckets: 'b' } } },
        ],
      });
      expect(compileRules(withDrift, { buckets: { d: [2, 1] } }).errors.join()).toMatch(/ascending/);
    });

    it('uses the option step over the spec step', () => {
      const c = ok(spec(), { step: '30s' });
      expect(c.interval).toBe('30s');
      expect(rule(c, 'anomaly:signal:median', 'lat')!.expr).toContain('[3585s] offset 30s');
    });
  });
});

describe('rarity severity', () => {
  const BUCKETS = { drift: [0.5, 1, '+Inf'], cal: [0.6, 0.9, '+Inf'] };
  /** Every statistical kind on the default severity (rarity), plus a threshold. */
  const rarity = (overrides: Partial<ScoreSpecInput> = {}) =>
    spec({
      signals: [
        { id: 'lat', kind: 'robust_z', params: { window: '1h' }, source: { queries: { value: 'lat' } } },
        { id: 'up', kind: 'robust_z', direction: 'up', source: { queries: { value: 'lat' } } },
        {
          id: 'errs',
          kind: 'ratio',
          params: { window: '5m', baseline: '1h' },
          source: { queries: { numerator: 'e', denominator: 'r' } },
        },
        { id: 'lag', kind: 'staleness', params: { minLag: '2m' }, source: { queries: { value: 'ts' } } },
        { id: 'traffic', kind: 'seasonal', direction: 'down', source: { queries: { value: 'rps' } } },
        { id: 'drift', kind: 'histogram_drift', source: { queries: { buckets: 'b' } } },
        { id: 'cal', kind: 'calibration', source: { queries: { buckets: 'b', correct: 'c' } } },
        { id: 'slo', kind: 'threshold', params: { above: 2 }, source: { queries: { value: 'p99' } } },
      ],
      ...overrides,
    });
  const history = (c: CompiledRules) => c.prometheus.find((g) => g.name.endsWith(':rarity'));
  const inHistory = (c: CompiledRules, record: string, signal: string) =>
    (history(c)?.rules ?? []).find(
      (r): r is RecordingRule => 'record' in r && r.record === record && r.labels?.signal === signal
    );

  it('compiles every statistical kind: the history and tail fit once a block, the severity every step', () => {
    const c = ok(rarity(), { buckets: BUCKETS });
    expect(c.unsupported).toEqual([]);
    expect(c.compiled).toEqual(['lat', 'up', 'errs', 'lag', 'traffic', 'drift', 'cal', 'slo']);
    expect(c.prometheus.map((g) => [g.name, g.interval])).toEqual([
      ['anomaly-score:fraud', '60s'],
      ['anomaly-score:fraud:rarity', '300s'],
    ]);
    for (const id of ['lat', 'up', 'errs', 'lag', 'traffic', 'drift', 'cal']) {
      for (const name of ['directed', 'empirical_decades', 'decades', 'severity_raw', 'severity']) {
        expect([id, name, rule(c, `anomaly:signal:${name}`, id) !== undefined]).toEqual([id, name, true]);
      }
      for (const name of ['block_max', 'block_alarm', 'fit_frozen', 'tail_anchor', 'tail_pwm', 'fit_shape']) {
        expect([id, name, inHistory(c, `anomaly:signal:${name}`, id) !== undefined]).toEqual([id, name, true]);
      }
    }
    // The threshold stays absolute: no rarity rules.
    expect(rule(c, 'anomaly:signal:directed', 'slo')).toBeUndefined();
    expect(inHistory(c, 'anomaly:signal:block_max', 'slo')).toBeUndefined();
    // level_shift is still not compiled.
    const shift = ok(rarity({ signals: [{ id: 's', kind: 'level_shift', source: { queries: { value: 'x' } } }] }));
    expect(shift.unsupported.map((u) => [u.signal, u.reason.includes('CUSUM')])).toEqual([['s', true]]);
  });

  it('history: block maxima and alarms of the block just closed, the fit frozen while an episode goes on', () => {
    const c = ok(rarity(), { buckets: BUCKETS });
    const sel = (name: string) => `anomaly:signal:${name}{spec="fraud",signal="lat"}`;
    expect(inHistory(c, 'anomaly:signal:block_max', 'lat')!.expr).toBe(
      `max_over_time(${sel('directed')}[300s] offset 30s) < +Inf`
    );
    expect(inHistory(c, 'anomaly:signal:block_alarm', 'lat')!.expr).toBe(
      `(max_over_time(${sel('severity_raw')}[300s] offset 30s) >= bool 0.5) and ${sel('block_max')} or 0 * ${sel('block_max')}`
    );
    // Frozen for up to a day in an alarm episode (288 blocks of 300 s), 3 hours in one without.
    const frozenExpr = inHistory(c, 'anomaly:signal:fit_frozen', 'lat')!.expr;
    expect(frozenExpr).toContain('<= bool 86400');
    expect(frozenExpr).toContain('<= bool 10800');
    // A block is elevated above the fit in force before it, or an alarm.
    expect(inHistory(c, 'anomaly:signal:block_elevated', 'lat')!.expr).toContain(
      `> bool last_over_time(${sel('fit_anchor')}[600s])`
    );
    // The history: the blocks not kept out (alarm episodes), all of them once more than two ended.
    const hist = `(${sel('block_max')} unless ((${sel('block_kept_out')} == 1) unless (${sel('block_recurring')} @ end() == 1)))`;
    // The default window of 7 days: 2016 blocks, and the window holds exactly 2016 samples.
    expect(inHistory(c, 'anomaly:signal:tail_blocks', 'lat')!.expr).toBe(
      `count_over_time(${hist}[604650s:300s]) >= 12`
    );
    // The threshold: the order statistic, pinned at the evaluation time.
    expect(inHistory(c, 'anomaly:signal:tail_anchor_l0', 'lat')!.expr).toBe(
      `max_over_time((${hist} <= ${sel('tail_quantile')} @ end())[604650s:300s])`
    );
    const pwm = inHistory(c, 'anomaly:signal:tail_pwm', 'lat')!.expr;
    expect(pwm.match(/quantile_over_time\(/g)).toHaveLength(16);
    expect(pwm).toContain(`> ${sel('tail_anchor')} @ end())[604650s:300s]`);
    const frozen = inHistory(c, 'anomaly:signal:fit_anchor', 'lat')!.expr;
    expect(frozen).toBe(
      `(${sel('tail_anchor')} and ${sel('fit_frozen')} == 0) or (last_over_time(${sel('fit_anchor')}[600s]) and ${sel('fit_frozen')} == 1)`
    );
    // Only the history group pins: the step group is safe to evaluate as a range query.
    for (const r of recording(c)) {
      const madPin = r.record === 'anomaly:signal:scale' && (r.labels?.signal === 'lat' || r.labels?.signal === 'up');
      expect([r.record, r.labels?.signal, r.expr.includes('@ end()')]).toEqual([r.record, r.labels?.signal, madPin]);
    }
  });

  it('severity: rarity against the fit in force, L50 from the split target, held for 10 minutes', () => {
    const c = ok(rarity(), { buckets: BUCKETS });
    // Seven rarity signals share the 30-day target: 210 days each, L50 = log10(210 d / 5 min).
    const half = Math.log10((210 * 86_400) / 300);
    const decades = 'anomaly:signal:decades{spec="fraud",signal="lat"}';
    expect(rule(c, 'anomaly:signal:severity_raw', 'lat')!.expr).toBe(ramp(decades, half - 1.5, half + 1.5));
    expect(rule(c, 'anomaly:signal:severity', 'lat')!.expr).toBe(
      'max_over_time(anomaly:signal:severity_raw{spec="fraud",signal="lat"}[570s]) and anomaly:signal:severity_raw{spec="fraud",signal="lat"}'
    );
    const emp = rule(c, 'anomaly:signal:empirical_decades', 'lat')!.expr;
    expect(emp).toContain('last_over_time(anomaly:signal:fit_anchor{spec="fraud",signal="lat"}[600s])');
    expect(emp).toContain('log10(last_over_time(anomaly:signal:fit_blocks{spec="fraud",signal="lat"}[600s]) /');
  });

  it('directed statistics and ideal models per kind', () => {
    const c = ok(rarity(), { buckets: BUCKETS });
    const stat = (id: string) => `anomaly:signal:statistic{spec="fraud",signal="${id}"}`;
    expect(rule(c, 'anomaly:signal:directed', 'lat')!.expr).toBe(`abs(${stat('lat')})`);
    expect(rule(c, 'anomaly:signal:directed', 'up')!.expr).toBe(stat('up'));
    expect(rule(c, 'anomaly:signal:directed', 'traffic')!.expr).toBe(`-(${stat('traffic')})`);
    expect(rule(c, 'anomaly:signal:directed', 'errs')!.expr).toBe(
      'clamp_min(anomaly:signal:z_up{spec="fraud",signal="errs"}, 0)'
    );
    expect(rule(c, 'anomaly:signal:directed', 'drift')!.expr).toBe(
      `(${stat('drift')} - anomaly:signal:expected{spec="fraud",signal="drift"})`
    );
    // |z|: the two-sided normal tail, minus log10(5 points per block).
    const both = rule(c, 'anomaly:signal:ideal_decades', 'lat')!.expr;
    expect(both).toContain(`- ${Math.log10(2)}, 0) - ${Math.log10(5)}, 0)`);
    expect(rule(c, 'anomaly:signal:ideal_decades', 'up')!.expr).toContain('-log10(1 - 10 ^ (-');
    // Divergences and calibration: a normal deviate recorded first (χ² by Wilson–Hilferty; ECE/sd).
    expect(rule(c, 'anomaly:signal:ideal_z', 'drift')!.expr).toContain('^ (1 / 3)');
    // (1 − 2/π)·m(1 − m) per prediction at the midpoints 0.3, 0.75, 0.95 of le = [0.6, 0.9, +Inf].
    expect(rule(c, 'anomaly:signal:ideal_z', 'cal')!.expr).toContain(`vector(${num((1 - 2 / Math.PI) * 0.3 * 0.7)})`);
    // Staleness: no ideal model, only minLag (120 s).
    expect(rule(c, 'anomaly:signal:ideal_decades', 'lag')).toBeUndefined();
    expect(rule(c, 'anomaly:signal:decades', 'lag')!.expr).toContain(
      'anomaly:signal:directed{spec="fraud",signal="lag"} < 120'
    );
  });

  it('a step of 5 minutes or more: the history rules in the step group, before the severity', () => {
    const c = ok(rarity({ step: '5m' }), { buckets: BUCKETS });
    expect(c.prometheus).toHaveLength(1);
    const names = recording(c)
      .filter((r) => r.labels?.signal === 'lat')
      .map((r) => r.record);
    expect(names.indexOf('anomaly:signal:block_max')).toBeGreaterThan(names.indexOf('anomaly:signal:directed'));
    expect(names.indexOf('anomaly:signal:fit_anchor')).toBeLessThan(names.indexOf('anomaly:signal:empirical_decades'));
    // One point per block: no per-block conversion of the ideal tail.
    expect(rule(c, 'anomaly:signal:ideal_decades', 'lat')!.expr).toMatch(/ - 0, 0\) or 0 \*/);
  });

  it('a ramp with a hold is held too; the approximations are listed', () => {
    const c = ok(
      spec({
        signals: [
          {
            id: 'lat',
            kind: 'robust_z',
            params: { severity: 'ramp', hold: '3m' },
            source: { queries: { value: 'x' } },
          },
        ],
      })
    );
    expect(rule(c, 'anomaly:signal:severity_raw', 'lat')!.expr).toBe(
      ramp('abs(anomaly:signal:statistic{spec="fraud",signal="lat"})', 3, 7)
    );
    expect(rule(c, 'anomaly:signal:severity', 'lat')!.expr).toContain('[150s]');
    expect(c.prometheus).toHaveLength(1);
    const r = ok(rarity(), { buckets: BUCKETS });
    expect(r.approximations.join('\n')).toMatch(/PWM by quadrature/);
    expect(r.approximations.join('\n')).toMatch(/ties lowered 2 values deep/);
    expect(prometheusRulesYaml(r)).toContain('PWM by quadrature');
  });
});

describe('Grafana alert rules', () => {
  const c = ok(
    spec({
      title: 'Fraud',
      tiers: { minDuration: { critical: '10m' }, playbook: { critical: { action: 'contain', runbook: 'https://r' } } },
    })
  );

  it('file provisioning: apiVersion 1, one rule per tier querying the recorded score', () => {
    const p = grafanaProvisioning(c, { prometheusUid: 'prom', folder: 'ML' });
    expect(p.apiVersion).toBe(1);
    const g = p.groups[0];
    expect(g).toMatchObject({ orgId: 1, name: 'anomaly-score-fraud', folder: 'ML', interval: '60s' });
    expect(g.rules.map((r) => r.title)).toEqual([
      'Anomaly score watch: Fraud',
      'Anomaly score review: Fraud',
      'Anomaly score critical: Fraud',
    ]);
    const crit = g.rules[2];
    expect(crit.condition).toBe('B');
    expect(crit.for).toBe('10m');
    expect(crit.data[0]).toMatchObject({
      refId: 'A',
      datasourceUid: 'prom',
      model: { expr: 'anomaly:score{spec="fraud"}', instant: true },
    });
    expect(crit.data[1]).toMatchObject({
      refId: 'B',
      datasourceUid: '__expr__',
      model: {
        type: 'threshold',
        expression: 'A',
        conditions: [{ evaluator: { type: 'gt', params: [75 - 1e-9] }, unloadEvaluator: { type: 'lt', params: [70] } }],
      },
    });
    expect(crit.labels.severity).toBe('critical');
    expect(crit.annotations.runbook_url).toBe('https://r');
    expect(crit.uid).toBe('anomaly-fraud-critical');
  });

  it('API bodies carry folderUID, ruleGroup and orgID', () => {
    const rules = grafanaApiRules(c, { prometheusUid: 'prom', folderUid: 'ml', orgId: 2 });
    expect(rules).toHaveLength(3);
    for (const r of rules) {
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining([
          'folderUID',
          'ruleGroup',
          'orgID',
          'condition',
          'data',
          'for',
          'noDataState',
          'execErrState',
          'annotations',
          'labels',
          'title',
        ])
      );
      expect(r.folderUID).toBe('ml');
      expect(r.orgID).toBe(2);
    }
    expect(() => grafanaApiRules(c, { prometheusUid: '' })).toThrow(/prometheusUid/);
    expect(() => grafanaApiRules(c, { prometheusUid: 'p', folderUid: 'bad uid!' })).toThrow(/folderUid/);
  });

  it('applies floors and suppression to the alerted score', () => {
    const ctx = ok(
      spec({
        context: [
          { id: 'reg', match: { region: 'eu' }, floor: 'review' },
          { id: 'm', match: {}, suppress: [{ from: 0, to: 1000 }] },
        ],
      })
    );
    const expr = grafanaProvisioning(ctx, { prometheusUid: 'p' }).groups[0].rules[1].data[0].model.expr as string;
    expect(expr).toContain('anomaly:tier{spec="fraud"} >= 2');
    expect(expr).toContain('unless on (spec, model, region) anomaly:suppressed{spec="fraud"}');
  });

  it('makes valid uids', () => {
    expect(grafanaUid('a b/c')).toBe('a-b-c');
    const long = grafanaUid('x'.repeat(80));
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(grafanaUid('///')).toBe('anomaly-score');
  });
});
