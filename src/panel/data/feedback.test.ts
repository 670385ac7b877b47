import { buildFeedbackAnnotation, dashboardUidFromPath, writeErrorMessage } from './feedback';
import { annotationsFromFrames, feedbackForEntity, labelTags } from './annotations';
import { annotationsFrame } from '../testing/frames';

describe('buildFeedbackAnnotation', () => {
  it('builds the POST /api/annotations payload with tags for kind, tier and labels', () => {
    expect(
      buildFeedbackAnnotation({
        kind: 'false-alarm',
        rationale: '  planned load test  ',
        labels: { version: '3', model: 'fraud' },
        tier: 'review',
        time: 2000.4,
        timeEnd: 1000,
        dashboardUID: 'abc',
        panelId: 7,
      })
    ).toEqual({
      dashboardUID: 'abc',
      panelId: 7,
      time: 1000,
      timeEnd: 2000,
      tags: ['anomalyscore', 'feedback:false-alarm', 'tier:review', 'model:fraud', 'version:3'],
      text: 'planned load test',
    });
  });

  it('uses a point when no end is given and leaves out the dashboard when unknown', () => {
    const p = buildFeedbackAnnotation({
      kind: 'acknowledged',
      rationale: 'on it',
      labels: {},
      tier: undefined,
      time: 5,
      panelId: 2,
    });
    expect(p).toEqual({ time: 5, timeEnd: 5, tags: ['anomalyscore', 'feedback:acknowledged'], text: 'on it' });
  });

  it('requires a rationale', () => {
    expect(() =>
      buildFeedbackAnnotation({ kind: 'escalated', rationale: '  ', labels: {}, tier: 'watch', time: 1 })
    ).toThrow(/rationale/);
  });
});

describe('dashboardUidFromPath', () => {
  it.each([
    ['/d/abc123/my-dash', 'abc123'],
    ['/grafana/d/xyz/slug', 'xyz'],
    ['/d-solo/solo1/slug', 'solo1'],
    ['/d/only', 'only'],
    ['/explore', undefined],
    ['/dashboards', undefined],
  ])('%s -> %s', (path, uid) => {
    expect(dashboardUidFromPath(path)).toBe(uid);
  });
});

describe('writeErrorMessage', () => {
  it('reads BackendSrv errors', () => {
    expect(writeErrorMessage({ status: 403, data: { message: 'Permission denied' } })).toBe('403 Permission denied');
    expect(writeErrorMessage(new Error('offline'))).toBe('offline');
  });
});

describe('annotations', () => {
  const frame = annotationsFrame([
    {
      time: 300,
      text: 'false alarm: load test',
      tags: ['anomalyscore', 'feedback:false-alarm', 'tier:review', ...labelTags({ model: 'fraud', version: '3' })],
    },
    { time: 100, timeEnd: 200, text: 'deploy v3', tags: ['deploy'] },
    { time: 400, text: 'other entity', tags: ['anomalyscore', 'feedback:acknowledged', 'model:churn', 'version:1'] },
    { time: 500, text: 'tier event', tags: ['anomalyscore', 'tier:critical', 'model:fraud', 'version:3'] },
  ]);

  it('reads annotation frames, oldest first', () => {
    const items = annotationsFromFrames([frame]);
    expect(items.map((a) => a.time)).toEqual([100, 300, 400, 500]);
    expect(items[0]).toMatchObject({ time: 100, timeEnd: 200, text: 'deploy v3', tags: ['deploy'] });
  });

  it('finds the feedback of one entity only', () => {
    const fb = feedbackForEntity(annotationsFromFrames([frame]), { model: 'fraud', version: '3' });
    expect(fb).toEqual([
      expect.objectContaining({
        kind: 'false-alarm',
        label: 'False alarm',
        time: 300,
        tier: 'review',
        rationale: 'false alarm: load test',
      }),
    ]);
  });
});
