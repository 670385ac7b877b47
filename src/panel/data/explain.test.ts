import { explainPoint } from '../../scoring/explain';
import { scoreEntity } from '../../scoring/engine';
import { explainAt, multiplierOf, sumText } from './explain';
import { scoreFrameView } from './frames';
import { echoDetector, fixtureSpec, frameFromScore, severityFrame, STEP_MS, T0 } from '../testing/frames';

function view(
  frame = severityFrame(
    { model: 'fraud', version: '3' },
    { latency: [0.1, 0.6, 0.8], errors: [0, 0.3, 0.4], drift: [0, 0, 0] }
  )
) {
  return scoreFrameView(frame, 0)!;
}

describe('explainAt', () => {
  it('returns contributions sorted, summing to the score, with the interval text', () => {
    const ex = explainAt(view(), 2)!;
    expect(ex.contributions.map((c) => c.id)).toEqual(['latency', 'errors', 'drift']);
    expect(ex.sum).toBeCloseTo(ex.score, 6);
    expect(ex.score).toBeGreaterThan(50);
    expect(ex.scoreText).toMatch(/^\d+ \(\d+–\d+\)$/);
    expect(ex.sumText).toMatch(/^\d+\.\d = \d+\.\d p99 latency \+ \d+\.\d error rate$/);
    expect(ex.t).toBe(T0 + 2 * STEP_MS);
  });

  it('reads observed, expected, band and severity per signal', () => {
    const ex = explainAt(view(), 1)!;
    const latency = ex.signals.find((s) => s.id === 'latency')!;
    expect(latency).toMatchObject({
      observed: 0.6,
      expected: 10,
      lower: 5,
      upper: 15,
      severity: 0.6,
      kind: 'robust_z',
    });
  });

  it('agrees with the scoring engine on what would change the tier', () => {
    const spec = fixtureSpec();
    const t = Float64Array.from([T0, T0 + STEP_MS, T0 + 2 * STEP_MS]);
    const inputs = {
      latency: { type: 'value' as const, t, value: Float64Array.from([0.1, 0.6, 0.8]) },
      errors: { type: 'value' as const, t, value: Float64Array.from([0, 0.3, 0.4]) },
      drift: { type: 'value' as const, t, value: Float64Array.from([0, 0, 0]) },
    };
    const es = scoreEntity(spec, { model: 'fraud', version: '3' }, inputs, { ...echoDetector, stepMs: STEP_MS });
    const engine = explainPoint(es, 2, spec);
    const ours = explainAt(scoreFrameView(frameFromScore(es, spec), 0)!, 2)!;
    expect(ours.tier).toBe(engine.tier);
    expect(ours.scoreText).toBe(engine.scoreText);
    expect(ours.whatWouldChange?.scoreBelow).toBe(engine.whatWouldChange?.scoreBelow);
    expect(ours.whatWouldChange?.lines.map((l) => l.severityBelow)).toEqual(
      engine.whatWouldChange?.lines.map((l) => l.severityBelow)
    );
    const first = ours.whatWouldChange!.lines[0];
    expect(first.text).toMatch(new RegExp(`^${ours.tier} until p99 latency z < [0-9.]+ \\(others unchanged\\)$`));
    expect(ours.action?.action).toBe(engine.action.action);
  });

  it('reports a context floor and the applied context rules', () => {
    const spec = fixtureSpec({
      context: [{ id: 'regulated', match: { model: 'fraud' }, floor: 'review', multiplier: 2 }],
    });
    const frame = severityFrame(
      { model: 'fraud', version: '3' },
      { latency: [0, 0.05], errors: [0, 0], drift: [0, 0] },
      spec
    );
    const ex = explainAt(scoreFrameView(frame, 0)!, 1)!;
    expect(ex.tier).toBe('review');
    expect(ex.context.map((c) => c.detail)).toEqual(['evidence x2', 'tier at least review']);
    expect(ex.whatWouldChange?.note).toMatch(/held at review by context floor \(regulated\)/);
    expect(multiplierOf(ex.context)).toBe(2);
  });

  it('says already ok for an ok point', () => {
    const ex = explainAt(view(), 0)!;
    expect(ex.tier).toBe('ok');
    expect(ex.whatWouldChange?.note).toBe('already ok');
  });
});

describe('sumText', () => {
  it('lists positive contributions only', () => {
    expect(
      sumText(62, [
        { id: 'a', name: 'latency', value: 41.2, share: 0 },
        { id: 'b', name: 'errors', value: 20.8, share: 0 },
        { id: 'c', name: 'drift', value: 0, share: 0 },
      ])
    ).toBe('62.0 = 41.2 latency + 20.8 errors');
  });
});
