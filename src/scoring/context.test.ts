/** @jest-environment node */
import fc from 'fast-check';

import { contextSeries, effectsAt, matchesRule, matchesValue, parseDeployTime, planContext } from './context';
import type { ContextRule } from './spec';
import { TIER_OK, TIER_REVIEW } from './tiers';

const DAY = 86_400_000;

describe('context: matching', () => {
  it('exact values, anchored regexes, absent labels read as empty', () => {
    expect(matchesValue('fraud', 'fraud')).toBe(true);
    expect(matchesValue('fraud', 'fraud2')).toBe(false);
    expect(matchesValue('/fraud.*/', 'fraud2')).toBe(true);
    expect(matchesValue('/fraud/', 'antifraud')).toBe(false); // anchored like PromQL =~
    expect(matchesValue('/FRAUD/i', 'fraud')).toBe(true);
    expect(matchesValue('', undefined)).toBe(true);
    expect(matchesValue('/.+/', undefined)).toBe(false);
    expect(matchesValue('/(/', 'x')).toBe(false); // invalid regex matches nothing, never throws
    expect(matchesRule({ match: { model: 'a', env: '/prod|staging/' } }, { model: 'a', env: 'staging' })).toBe(true);
    expect(matchesRule({ match: {} }, {})).toBe(true);
  });

  it('deploy times: epoch seconds, epoch ms, ISO', () => {
    expect(parseDeployTime('1714561200')).toBe(1714561200000);
    expect(parseDeployTime(1714561200000)).toBe(1714561200000);
    expect(parseDeployTime('2024-05-01T11:00:00Z')).toBe(1714561200000);
    expect(parseDeployTime('soon')).toBeNaN();
  });
});

describe('context: effects', () => {
  const rules: ContextRule[] = [
    { id: 'vip', description: 'checkout traffic', match: { endpoint: 'checkout' }, multiplier: 2 },
    { id: 'regulated', match: { model: '/fraud.*/' }, floor: 'review' },
    {
      id: 'maint',
      match: {},
      suppress: [
        { from: 10, to: 20 },
        { from: 'bad', to: 1 },
      ],
    },
    { id: 'young', match: {}, modelAge: { label: 'deployed_at', youngerThan: '1d', multiplier: 1.5 } },
    { id: 'other', match: { model: 'churn' }, multiplier: 0.5 },
  ];
  const labels = { model: 'fraud_v2', endpoint: 'checkout', deployed_at: String(DAY / 1000) };

  it('plans matching rules, multiplies multipliers, takes the highest floor', () => {
    const plan = planContext(rules, labels);
    expect(plan.rules.map((r) => r.rule.id)).toEqual(['vip', 'regulated', 'maint', 'young']);
    expect(plan.multiplier).toBe(2);
    expect(plan.floor).toBe(TIER_REVIEW);
    expect(plan.warnings.join()).toMatch(/suppression window bad..1 is not a time range/);
  });

  it('per-point series: windows inclusive, young period [deploy, deploy + 1d)', () => {
    const plan = planContext(rules, labels);
    const t = Float64Array.from([0, 10, 20, 21, DAY, 2 * DAY - 1, 2 * DAY]);
    const s = contextSeries(plan, t);
    expect(Array.from(s.suppressed)).toEqual([0, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(s.multiplier)).toEqual([2, 2, 2, 2, 3, 3, 2]);
    expect(Array.from(s.floor)).toEqual(new Array(7).fill(TIER_REVIEW));
  });

  it('lists every applied effect for explanations', () => {
    const plan = planContext(rules, labels);
    const effects = effectsAt(plan, DAY + 15);
    expect(effects.map((e) => [e.ruleId, e.kind, e.value])).toEqual([
      ['vip', 'multiplier', 2],
      ['regulated', 'floor', 'review'],
      ['young', 'model_age', 1.5],
    ]);
    expect(effects[0].description).toBe('checkout traffic');
    expect(effectsAt(plan, 15).map((e) => e.kind)).toEqual(['multiplier', 'floor', 'suppress']);
  });

  it('missing deploy label: a warning, no effect', () => {
    const plan = planContext(rules, { model: 'x' });
    expect(plan.warnings.join()).toMatch(/no deployment time in label "deployed_at"/);
    expect(plan.floor).toBe(TIER_OK);
    expect(Array.from(contextSeries(plan, Float64Array.from([DAY])).multiplier)).toEqual([1]);
  });

  it('property: chunked context series equal the whole series, multipliers stay >= 0', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -DAY, max: 3 * DAY }), { maxLength: 30 }), fc.nat(30), (times, cut) => {
        const plan = planContext(rules, labels);
        const t = Float64Array.from(times.sort((a, b) => a - b));
        const whole = contextSeries(plan, t);
        const a = contextSeries(plan, t.subarray(0, cut));
        const b = contextSeries(plan, t.subarray(cut));
        const joined = [...a.multiplier, ...b.multiplier];
        return (
          joined.every((m, i) => m === whole.multiplier[i] && m >= 0) &&
          [...a.suppressed, ...b.suppressed].every((x, i) => x === whole.suppressed[i])
        );
      }),
      { numRuns: 2000 }
    );
  });
});
