/** @jest-environment node */
// Compiled rules against the real tools: `promtool check rules` on every Prometheus output,
// `promtool test rules` with crafted series that walk one entity through every tier, the Loki
// output read back as rule groups, and parity of the compiled score with the in-browser engine on
// backfilled demo data (scripts/rules-parity.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';

import {
  compileRules,
  lokiRulesYaml,
  prometheusRulesYaml,
  type AlertingRule,
  type CompiledRules,
} from '../../src/scoring/rules';
import { parseSpec, validateSpec, type ScoreSpecInput } from '../../src/scoring/spec';
import { PARITY_BUCKETS, PARITY_SPEC, runParity, slowWaves } from '../../scripts/rules-parity';
import {
  compiledEmpiricalDecades,
  compiledTailFit,
  normalTailDecadesExpr,
  rarityPlan,
  twoSidedNormalTailDecadesExpr,
  wilsonHilfertyExpr,
} from '../../src/scoring/rules/rarity';
import { fitTail, raritySeverity, type AscendingValues } from '../../src/scoring/signals/rarity';
import { createDetector } from '../../src/scoring/signals/registry';
import { chiSquareTailDecades, normalTailDecades, twoSidedNormalTailDecades } from '../../src/scoring/util/normalTail';
import { tmpRoot } from './generated';
import { findBinary, prometheusAvailable } from './prometheus';

const describeProm = prometheusAvailable() ? describe : describe.skip;
if (!prometheusAvailable()) {
  console.warn('prometheus/promtool not on PATH: skipping (apt-get install prometheus)');
}

const ROOT = path.resolve(__dirname, '..', '..');
let dir: string;

function promtool(args: string[]): { code: number; out: string } {
  const r = spawnSync(findBinary('promtool'), args, { encoding: 'utf8', cwd: dir });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

function compiled(input: unknown, options = {}): CompiledRules {
  const r = compileRules(input, options);
  if (!r.ok) {
    throw new Error(r.errors.join('\n'));
  }
  return r.rules!;
}

function ascending(values: number[]): AscendingValues {
  const v = [...values].sort((a, b) => a - b);
  return { size: v.length, at: (i) => v[i] };
}

function checkRules(name: string, c: CompiledRules): void {
  const file = path.join(dir, `${name}.yml`);
  fs.writeFileSync(file, prometheusRulesYaml(c));
  const r = promtool(['check', 'rules', file]);
  expect([name, r.code, r.out]).toEqual([name, 0, expect.stringContaining('SUCCESS')]);
}

/** Every kind, context effects, a log signal and one signal that cannot compile. */
const EVERYTHING: ScoreSpecInput = {
  ...PARITY_SPEC,
  id: 'everything',
  signals: [
    ...PARITY_SPEC.signals,
    {
      id: 'traffic',
      kind: 'seasonal',
      direction: 'down',
      params: { season: '1d', seasons: 3, tolerance: 1, window: '6h', severity: 'ramp' },
      source: { queries: { value: 'sum by (model, version, region) (rate(model_requests_total[5m]))' } },
    },
    {
      id: 'score_js',
      kind: 'histogram_drift',
      params: { metric: 'js', severity: 'ramp' },
      source: {
        queries: { buckets: 'sum by (model, version, region, le) (increase(model_prediction_score_bucket[1m]))' },
      },
    },
    {
      id: 'score_level',
      kind: 'level_shift',
      source: { queries: { value: 'sum by (model, version, region) (rate(model_prediction_score_sum[5m]))' } },
    },
    {
      id: 'error_logs',
      kind: 'robust_z',
      params: { severity: 'ramp' },
      source: {
        datasource: { type: 'loki' },
        queries: {
          value: 'sum by (model, version, region) (count_over_time({app="model-service", level="error"}[5m]))',
        },
      },
    },
  ],
  tiers: { hysteresis: 5, minDuration: { review: '5m', critical: '10m' } },
  context: [
    { id: 'vip', match: { model: 'fraud' }, multiplier: 1.5 },
    { id: 'regulated', match: { region: '/eu|ap/' }, floor: 'watch' },
    {
      id: 'maintenance',
      match: { model: 'churn' },
      suppress: [{ from: '2025-01-07T00:00:00Z', to: '2025-01-07T02:00:00Z' }],
    },
    { id: 'young', match: {}, modelAge: { deployedAt: '2025-01-06T00:00:00Z', youngerThan: '1d', multiplier: 0.5 } },
  ],
};

describe('parity evaluator', () => {
  it("runs a group's rules in waves that keep a ruler's order", () => {
    // 0 reads nothing; 1 reads 0 (this time); 2 reads 3 (its previous value: 3 comes later); 3 reads 0.
    const rules = [0, 1, 2, 3].map((i) => ({ index: i, order: i }));
    const deps = [[], [0], [3], [0]];
    const waves = slowWaves(rules, deps).map((w) => w.map((x) => x.index));
    // 0 and 2 read nothing of this time; 1 and 3 wait for 0, and 3 for 2 (which reads its previous value).
    expect(waves).toEqual([
      [0, 2],
      [1, 3],
    ]);
  });
});

describeProm('compiled rules with promtool', () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(tmpRoot(), 'anomalyscore-rules-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('promtool check rules accepts every Prometheus output', () => {
    const buckets = { ...PARITY_BUCKETS, score_js: PARITY_BUCKETS.score_drift };
    const everything = compiled(EVERYTHING, { buckets, keepFiringFor: '5m' });
    expect(everything.unsupported.map((u) => u.signal)).toEqual(['score_level']);
    checkRules('everything', everything);
    for (const method of ['weighted_mean', 'max'] as const) {
      checkRules(method, compiled({ ...EVERYTHING, composite: { method } }, { buckets }));
    }
    checkRules('no-buckets', compiled(EVERYTHING));
    checkRules('no-entity', compiled({ ...PARITY_SPEC, id: 'flat', entity: [] }, { buckets: PARITY_BUCKETS }));
    // Rarity with its history in the step group (a step of one block), and every kind on rarity.
    checkRules('rarity-5m', compiled({ ...PARITY_SPEC, id: 'slow', step: '5m' }, { buckets: PARITY_BUCKETS }));
    // The demo specs: on ramps, and on defaults (rarity everywhere).
    for (const file of ['spec.yaml', 'spec.defaults.yaml']) {
      const demo = path.join(ROOT, 'demo', file);
      if (fs.existsSync(demo)) {
        const parsed = parseSpec(fs.readFileSync(demo, 'utf8'));
        expect(parsed.errors).toEqual([]);
        checkRules(file.replace(/\.yaml$/, ''), compiled(parsed.spec));
      }
    }
  });

  it('the Loki output reads back as rule groups of LogQL recording rules', () => {
    const c = compiled(EVERYTHING);
    const doc = parse(lokiRulesYaml(c));
    expect(doc.groups).toHaveLength(1);
    const g = doc.groups[0];
    expect(g.name).toBe('anomaly-score:everything:loki');
    expect(g.interval).toBe('60s');
    expect(g.rules).toEqual([
      {
        record: 'anomaly:input:value',
        expr: expect.stringContaining('count_over_time({app="model-service", level="error"}[5m])'),
        labels: { spec: 'everything', signal: 'error_logs' },
      },
    ]);
    // The detector rules of the log signal read the recorded input from Prometheus.
    const prom = parse(prometheusRulesYaml(c));
    const names = prom.groups[0].rules.filter(
      (r: { labels?: Record<string, string> }) => r.labels?.signal === 'error_logs'
    );
    expect(names.map((r: { record: string }) => r.record)).toContain('anomaly:signal:severity');
    expect(names.map((r: { record: string }) => r.record)).not.toContain('anomaly:input:value');
  });

  it('npm run rules prints every format; bad input exits 2', () => {
    const specFile = path.join(dir, 'everything.json');
    fs.writeFileSync(specFile, JSON.stringify(EVERYTHING));
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const cli = (args: string[]) =>
      spawnSync(tsx, [path.join(ROOT, 'scripts', 'rules.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
    const prom = cli(['--spec', specFile, '--format', 'prometheus', '--buckets', 'score_drift=0.1,0.5,+Inf']);
    expect(prom.status).toBe(0);
    expect(prom.stderr).toMatch(/not compiled: signal score_level \(level_shift\)/);
    fs.writeFileSync(path.join(dir, 'cli.yml'), prom.stdout);
    expect(promtool(['check', 'rules', 'cli.yml']).code).toBe(0);
    const loki = cli(['--spec', specFile, '--format', 'loki']);
    expect(parse(loki.stdout).groups[0].rules[0].labels.signal).toBe('error_logs');
    const graf = parse(
      cli(['--spec', specFile, '--format', 'grafana', '--prometheus-uid', 'mimir', '--folder', 'ML']).stdout
    );
    expect(graf.apiVersion).toBe(1);
    expect(graf.groups[0].folder).toBe('ML');
    expect(graf.groups[0].rules[0].data[0].datasourceUid).toBe('mimir');
    const api = JSON.parse(cli(['--spec', specFile, '--format', 'grafana-api', '--folder-uid', 'ml']).stdout);
    expect(api).toHaveLength(3);
    expect(api[2]).toMatchObject({ folderUID: 'ml', ruleGroup: 'anomaly-score-everything', orgID: 1, condition: 'B' });
    expect(cli(['--spec', specFile, '--format', 'nope']).status).toBe(2);
    expect(cli(['--format', 'prometheus']).stderr).toMatch(/--spec FILE is required/);
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'id: x\nsignals: []\n');
    const bad = cli(['--spec', path.join(dir, 'bad.yaml')]);
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/signals: must contain at least one signal/)]);
  });

  it('promtool test rules: each tier alert fires on crafted series, hysteresis holds critical', () => {
    // One threshold signal with a soft ramp: score = 100 · smoothstep(x / 10).
    const spec = validateSpec({
      id: 'tiers',
      entity: ['model'],
      step: '1m',
      signals: [
        {
          id: 'x',
          kind: 'threshold',
          params: { above: 0, soft: 10 },
          source: { queries: { value: 'max by (model) (m)' } },
        },
      ],
      tiers: {
        hysteresis: 5,
        minDuration: { watch: '2m', review: '2m', critical: '2m' },
        playbook: { critical: { action: 'contain', runbook: 'https://runbooks.example.com/contain' } },
      },
    });
    expect(spec.errors).toEqual([]);
    const c = compiled(spec.spec, { contributorAlerts: false });
    fs.writeFileSync(path.join(dir, 'tiers.yml'), prometheusRulesYaml(c));
    const score = (x: number) => {
      const u = Math.min(1, Math.max(0, x / 10));
      return 100 * u * u * (3 - 2 * u);
    };
    // x per minute: 1 (ok) ×5, 4 (watch) ×10, 6 (review) ×10, 9 (critical) ×10, 6.5 (71.8: inside the
    // critical hysteresis band) ×5, 6 (64.8: below 70, critical resolves) ×5.
    const plan: Array<[number, number]> = [
      [1, 5],
      [4, 10],
      [6, 10],
      [9, 10],
      [6.5, 5],
      [6, 5],
    ];
    const values = plan.map(([x, n]) => `${x}+0x${n - 1}`).join(' ');
    const alerts = c.prometheus[0].rules.filter((r): r is AlertingRule => 'alert' in r);
    const render = (a: AlertingRule, value: number) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(a.annotations)) {
        out[k] = v
          .replace(/\{\{ \$value \| printf "%\.1f" \}\}/g, value.toFixed(1))
          .replace(/\{\{ \$labels\.model \}\}/g, 'a');
      }
      return out;
    };
    const expectAlert = (tier: 'watch' | 'review' | 'critical', x: number) => {
      const a = alerts.find((r) => r.labels.tier === tier)!;
      return { exp_labels: { model: 'a', spec: 'tiers', severity: tier, tier }, exp_annotations: render(a, score(x)) };
    };
    const at = (minute: number, name: string, exp: object[]) => ({
      eval_time: `${minute}m`,
      alertname: name,
      exp_alerts: exp,
    });
    const test = {
      rule_files: ['tiers.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [{ series: 'm{model="a",instance="i1"}', values }],
          promql_expr_test: [
            {
              expr: 'anomaly:tier',
              eval_time: '3m',
              exp_samples: [{ labels: 'anomaly:tier{model="a",spec="tiers"}', value: 0 }],
            },
            {
              expr: 'anomaly:tier',
              eval_time: '30m',
              exp_samples: [{ labels: 'anomaly:tier{model="a",spec="tiers"}', value: 3 }],
            },
            {
              expr: 'round(anomaly:score * 1000)',
              eval_time: '30m',
              exp_samples: [{ labels: '{model="a",spec="tiers"}', value: Math.round(score(9) * 1000) }],
            },
            {
              expr: 'anomaly:contribution',
              eval_time: '20m',
              exp_samples: [{ labels: 'anomaly:contribution{model="a",signal="x",spec="tiers"}', value: score(6) }],
            },
          ],
          alert_rule_test: [
            at(3, c.alerts.watch, []),
            at(6, c.alerts.watch, []), // pending: for 2m
            at(8, c.alerts.watch, [expectAlert('watch', 4)]),
            at(12, c.alerts.review, []),
            at(18, c.alerts.review, [expectAlert('review', 6)]),
            at(18, c.alerts.critical, []),
            at(28, c.alerts.critical, [expectAlert('critical', 9)]),
            at(28, c.alerts.watch, [expectAlert('watch', 9)]),
            // 71.8 is below the cut (75) but above cut − hysteresis (70): still critical.
            at(37, c.alerts.critical, [expectAlert('critical', 6.5)]),
            // 64.8 < 70: critical resolves, review keeps firing.
            at(42, c.alerts.critical, []),
            at(42, c.alerts.review, [expectAlert('review', 6)]),
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'tiers.test.yml'), stringify(test, { lineWidth: 0 }));
    const r = promtool(['test', 'rules', 'tiers.test.yml']);
    expect([r.code, r.out]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });

  it("promtool test rules: the ideal models in PromQL are the engine's normal and χ² tails", () => {
    const zs = [-3, -0.5, 0, 0.7, 1.96, 3, 5, 9, 25];
    const chi = [
      [0.5, 3],
      [4, 3],
      [30, 9],
      [120, 9],
    ];
    const rules = {
      groups: [
        {
          name: 'ideal',
          interval: '1m',
          rules: [
            { record: 'ideal:normal', expr: normalTailDecadesExpr('z') },
            { record: 'ideal:two_sided', expr: twoSidedNormalTailDecadesExpr('z') },
            { record: 'ideal:chi2_z', expr: wilsonHilfertyExpr('v', 'k') },
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'ideal.yml'), stringify(rules, { lineWidth: 0 }));
    expect(promtool(['check', 'rules', 'ideal.yml']).code).toBe(0);
    const close = (expr: string, expected: number, labels: string) => ({
      expr: `abs(${expr} - ${expected}) < bool ${1e-9 * Math.max(1, Math.abs(expected))}`,
      eval_time: '0m',
      exp_samples: [{ labels, value: 1 }],
    });
    const test = {
      rule_files: ['ideal.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            ...zs.map((z, i) => ({ series: `z{i="${i}"}`, values: `${z}` })),
            ...chi.map(([v], i) => ({ series: `v{i="${i}"}`, values: `${v}` })),
            ...chi.map(([, k], i) => ({ series: `k{i="${i}"}`, values: `${k}` })),
          ],
          promql_expr_test: [
            ...zs.map((z, i) => close(`ideal:normal{i="${i}"}`, normalTailDecades(z), `{i="${i}"}`)),
            ...zs.map((z, i) => close(`ideal:two_sided{i="${i}"}`, twoSidedNormalTailDecades(z), `{i="${i}"}`)),
            // χ² tail decades = the normal tail of the Wilson–Hilferty deviate.
            ...chi.map(([v, k], i) =>
              close(`(${normalTailDecadesExpr(`ideal:chi2_z{i="${i}"}`)})`, chiSquareTailDecades(v, k), `{i="${i}"}`)
            ),
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'ideal.test.yml'), stringify(test, { lineWidth: 0 }));
    const r = promtool(['test', 'rules', 'ideal.test.yml']);
    expect([r.code, r.out]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });

  it('promtool test rules: a hand-made history — its tail, an alarm episode that freezes the fit, the hold', () => {
    // One labelling-delay signal on rarity at a 5-minute step (one point per block): the lag is the
    // directed statistic, and with minLag 0 the history alone judges it. Lags: 1000 s first (the
    // maximum, so the warm-up never alarms), then 1000·frac(i·φ) s, an episode of 4 blocks at 5000 s
    // from block E, then the same sequence again.
    const E = 216;
    const blocks = 228;
    const golden = 0.6180339887498949;
    const lag = (i: number) => (i === 0 ? 1000 : i >= E && i < E + 4 ? 5000 : 1000 * ((i * golden) % 1));
    const c = compiled({
      id: 't',
      entity: ['model'],
      step: '5m',
      signals: [
        {
          id: 'lag',
          kind: 'staleness',
          params: { minLag: '0s', rarity: '30d', rarityWindow: '1d' },
          source: { queries: { value: 'max by (model) (label_ts)' } },
        },
      ],
      tiers: { hysteresis: 0 },
    });
    expect(c.prometheus).toHaveLength(1); // block = step: the history rules are in the step group
    fs.writeFileSync(path.join(dir, 'rarity.yml'), prometheusRulesYaml(c));
    const plan = rarityPlan(300_000, 30 * 86_400_000, 86_400_000, 600_000);
    expect(plan.observedLevels).toBe(2);
    // At block j the history is the lags of blocks 0 .. j−1 (block_max at j·5m is the point j − 1).
    const hist = (to: number) => ascending(Array.from({ length: to }, (_, i) => lag(i)));
    const sev = (d: number) => raritySeverity(d, plan.halfDecades);
    const at = (j: number) => `${j * 5}m`;
    const sel = (name: string) => `anomaly:signal:${name}{model="a",signal="lag",spec="t"}`;
    const labels = '{model="a",signal="lag",spec="t"}';
    const close = (name: string, j: number, expected: number, tol = 1e-9) => ({
      expr: `abs(${sel(name)} - ${expected}) < bool ${tol * Math.max(1, Math.abs(expected))}`,
      eval_time: at(j),
      exp_samples: [{ labels, value: 1 }],
    });
    const before = E; // the last block before the episode is judged against lags 0 .. E−1
    const fit = compiledTailFit(hist(before), plan.extrapolation);
    const engineFit = fitTail(hist(before));
    // Enough blocks that the engine's threshold needs no lowering: threshold, exceedances and mean
    // excess are exact, the shape is the quadrature's.
    expect([fit.anchor, fit.exceedances, fit.sigma / (1 - fit.xi)]).toEqual([
      engineFit.anchor,
      engineFit.exceedances,
      expect.closeTo(engineFit.sigma / (1 - engineFit.xi), 9),
    ]);
    expect(Math.abs(fit.xi - engineFit.xi)).toBeLessThan(0.05);
    const empBefore = compiledEmpiricalDecades(hist(before), lag(before), plan);
    // The episode's 5000 s lies beyond anything seen: the claim is the cap of the frozen fit (n = E).
    const capped = sev(Math.log10(E) + plan.extrapolation);
    // The episode goes on while blocks stay above the frozen fit's threshold; it ends at the first
    // block at or below it, and as an alarm episode it stays out of the history (points E .. end−2).
    const frozenAnchor = compiledTailFit(hist(E), plan.extrapolation).anchor;
    let afterEnd = E + 5;
    while (lag(afterEnd - 1) > frozenAnchor) {
      afterEnd++;
    }
    expect(afterEnd).toBeLessThan(blocks);
    const kept = (to: number) =>
      ascending(
        Array.from({ length: to }, (_, i) => i)
          .filter((i) => i < E || i > afterEnd - 2)
          .map(lag)
      );
    const fitAfter = compiledTailFit(kept(afterEnd), plan.extrapolation);
    const test = {
      rule_files: ['rarity.yml'],
      evaluation_interval: '5m',
      tests: [
        {
          interval: '5m',
          input_series: [
            {
              series: 'label_ts{model="a"}',
              values: Array.from({ length: blocks }, (_, i) => String(300 * i - lag(i))).join(' '),
            },
          ],
          promql_expr_test: [
            // Before the episode: the tail of blocks 0..E−1, the fit in force is that tail.
            close('tail_blocks', before, before),
            close('tail_anchor', before, fit.anchor),
            close('tail_exceedances', before, fit.exceedances),
            close('tail_shape', before, fit.xi),
            close('tail_scale', before, fit.sigma),
            close('fit_anchor', before, fit.anchor),
            close('fit_frozen', before, 0),
            close('empirical_decades', before, empBefore),
            close('severity_raw', before, sev(empBefore)),
            // In the episode: the newest block is an alarm, the fit stays that of block E (whose
            // history ends with the last calm block) while the window's tail moves.
            close('block_alarm', E + 2, 1),
            close('fit_frozen', E + 2, 1),
            close('fit_anchor', E + 2, frozenAnchor),
            close('block_kept_out', E + 2, 1),
            close('tail_top_l1', E + 2, 1000), // the window without the kept-out episode
            close('severity_raw', E + 2, capped),
            // The first calm point after it: its severity is held for 10 minutes, the fit still frozen.
            close('severity', E + 4, capped),
            close('fit_frozen', E + 4, 1),
            // Then the episode is over and kept out: the fit has every block but its own.
            close('fit_frozen', afterEnd, 0),
            close('block_episode_end', afterEnd, 1),
            close('fit_blocks', afterEnd, afterEnd - (afterEnd - 1 - E)),
            close('fit_top_l1', afterEnd, 1000),
            close('fit_top_count_l1', afterEnd, 1),
            close('fit_anchor', afterEnd, fitAfter.anchor),
            close('fit_shape', afterEnd, fitAfter.xi),
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'rarity.test.yml'), stringify(test, { lineWidth: 0 }));
    const r = promtool(['test', 'rules', 'rarity.test.yml']);
    expect([r.code, r.out]).toEqual([0, expect.stringContaining('SUCCESS')]);
    // The engine on the same lags: the same severities (within the quadrature's error) at the points
    // checked above, including the alarm episode.
    const t = Float64Array.from({ length: blocks }, (_, i) => i * 300_000);
    const engine = createDetector('staleness', c.spec.signals[0].params, { stepMs: 300_000 }).process({
      type: 'value',
      t,
      value: Float64Array.from({ length: blocks }, (_, i) => 300 * i - lag(i)),
    });
    expect(Math.abs(engine.severity[before] - sev(empBefore))).toBeLessThan(0.05);
    expect(capped).toBeGreaterThan(0.99);
    expect(engine.severity[E + 2]).toBeCloseTo(capped, 9);
    expect(engine.severity[E + 4]).toBeCloseTo(capped, 9);
  });

  it('parity: compiled rules on backfilled demo data agree with the in-browser engine', async () => {
    // Two entities over two days (the fewest the demo's incident schedule fits in): the rarity
    // history is evaluated block by block in time order (a ruler's recursion), so the cost grows
    // with entities × blocks²: about 8 minutes on two cores.
    const r = await runParity({ days: 2, inlineSpec: true, models: 1, versions: 1, regions: 2, concurrency: 8 });
    const f = r.figures;
    console.log(`rules parity: ${JSON.stringify({ ...f, unsupported: undefined, timings: r.timings })}`);
    expect(f.signals).toEqual(PARITY_SPEC.signals.map((s) => s.id));
    expect(f.missing_compiled).toBe(0);
    expect(f.points).toBeGreaterThan(4000);
    expect(f.max_score_engine).toBeGreaterThan(50); // incidents were scored, not two flat zeros
    expect(f.active_points).toBeGreaterThan(20);
    expect(f.tier_agreement).toBeGreaterThanOrEqual(0.99); // measured 0.99344
    expect(f.median_abs_diff).toBeLessThanOrEqual(2);
    expect(f.active_median_abs_diff).toBeLessThanOrEqual(2);
  }, 900_000);
});
