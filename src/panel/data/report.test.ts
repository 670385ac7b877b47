import { reviewToJson, reviewToMarkdown } from '../../frames/report';
import { buildReport, dashboardLink } from './report';
import { annotationsFromFrames, labelTags } from './annotations';
import { scoreFrameView } from './frames';
import { annotationsFrame, fixtureSpec, severityFrame, STEP_MS, T0 } from '../testing/frames';

const HOSTILE = '<img src=x onerror=alert(1)>';

function fixture() {
  const labels = { model: HOSTILE, version: '3' };
  const spec = fixtureSpec({
    context: [{ id: 'weekend', description: 'weekend traffic', match: {}, multiplier: 1.5 }],
  });
  const frame = severityFrame(
    labels,
    { latency: [0, 0.2, 0.5, 0.9, 0.3], errors: [0, 0.1, 0.3, 0.6, 0.1], drift: [0, 0, 0, 0, 0] },
    spec
  );
  const view = scoreFrameView(frame, 0)!;
  const annotations = annotationsFromFrames([
    annotationsFrame([
      { time: T0 + STEP_MS, text: `deploy ${HOSTILE}`, tags: ['deploy'], title: 'Deploy' },
      {
        time: T0 + 3 * STEP_MS,
        text: `confirmed: ${HOSTILE}`,
        tags: ['anomalyscore', 'feedback:confirmed', 'tier:critical', ...labelTags(labels)],
      },
    ]),
  ]);
  const report = buildReport({
    view,
    from: T0,
    to: T0 + 4 * STEP_MS,
    annotations,
    dashboardUrl: dashboardLink(
      { origin: 'https://grafana.example', pathname: '/d/abc/model-health', search: '?orgId=1&from=now-6h' },
      T0,
      T0 + 4 * STEP_MS
    ),
    generatedAt: T0 + 10 * STEP_MS,
  });
  return { report, view };
}

describe('buildReport', () => {
  it('holds the peak, tier crossings, contributions, signals, annotations, feedback, spec and link', () => {
    const { report } = fixture();
    expect(report.peak?.time).toBe(T0 + 3 * STEP_MS);
    expect(report.peak?.tier).toBe('critical');
    const sum = report.contributionsAtPeak.reduce((s, c) => s + c.value, 0);
    expect(sum).toBeCloseTo(report.peak!.score, 6);
    const { view } = fixture();
    const firstCritical = view.tier!.values.indexOf('critical');
    expect(firstCritical).toBeGreaterThan(0);
    expect(report.tierCrossings.find((c) => c.tier === 'critical')?.firstAt).toBe(T0 + firstCritical * STEP_MS);
    expect(
      report.tierCrossings.every((c, i, all) => i === 0 || c.firstAt === null || c.firstAt >= all[i - 1].firstAt!)
    ).toBe(true);
    expect(report.signalsAtPeak.map((s) => s.id)).toEqual(['latency', 'errors']);
    expect(report.contextAtPeak.map((c) => c.ruleId)).toEqual(['weekend']);
    expect(report.annotations).toHaveLength(2);
    expect(report.feedback).toEqual([
      expect.objectContaining({ kind: 'confirmed', rationale: `confirmed: ${HOSTILE}` }),
    ]);
    expect(report.spec).toEqual({ id: 'model-health', version: 3 });
    expect(report.action?.action).toBe('roll back');
    expect(report.dashboardUrl).toBe(
      `https://grafana.example/d/abc/model-health?orgId=1&from=${T0}&to=${T0 + 4 * STEP_MS}`
    );
  });

  it('renders every section in Markdown and escapes hostile text', () => {
    const { report } = fixture();
    const md = reviewToMarkdown(report);
    for (const heading of [
      '# Incident review',
      '## Entity',
      '## Time range',
      '## Peak',
      '## Tier crossings',
      '## Contributions at the peak',
      '## Observed vs expected',
      '## Context at the peak',
      '## Recommended action',
      '## Annotations',
      '## Feedback',
      '## Spec',
      '## Dashboard',
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).not.toContain('<img');
    expect(md).not.toMatch(/<[a-z]/i);
    expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(md).toContain('weekend traffic');
    expect(md).toContain('Runbook: [https://runbooks.example/critical](https://runbooks.example/critical)');
    expect(md).toContain(
      `[Open the dashboard at this time range](https://grafana.example/d/abc/model-health?orgId=1&from=${T0}&to=${T0 + 4 * STEP_MS})`
    );
    expect(md).toContain('model-health version 3');
    expect(md.split('\n')).toContain(report.contributionSum);
  });

  it('has the same content as JSON (raw values, no NaN)', () => {
    const { report } = fixture();
    const json = JSON.parse(reviewToJson(report));
    expect(json.entity.labels.model).toBe(HOSTILE);
    expect(Object.keys(json)).toEqual(Object.keys(report));
    expect(json.feedback[0].rationale).toBe(`confirmed: ${HOSTILE}`);
  });
});
