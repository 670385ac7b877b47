/** @jest-environment node */
import {
  GroundTruthError,
  matchesEntity,
  mergeGroundTruth,
  parseAnnotations,
  parseGroundTruth,
  parseIncidentsJson,
} from './groundTruth';

const T = Date.UTC(2025, 0, 6, 12);

describe('parseAnnotations', () => {
  it('reads verified incidents from key:value tags and from structured text', () => {
    const gt = parseAnnotations([
      {
        id: 1,
        time: T,
        timeEnd: T + 600_000,
        tags: ['incident', 'model:fraud', 'region:eu', 'kind:latency_spike'],
        text: 'p99 > 3s',
      },
      {
        id: 2,
        time: T + 1000,
        timeEnd: T + 2000,
        tags: ['incident'],
        text: '{"entity": {"model": "churn", "version": "v2"}, "kind": "error_burst"}',
      },
      { id: 3, time: T, tags: ['deploy'], text: 'rolled out v3' },
    ]);
    expect(gt.errors).toEqual([]);
    expect(gt.ignored).toBe(1);
    expect(gt.incidents).toEqual([
      expect.objectContaining({
        id: '1',
        entity: { model: 'fraud', region: 'eu' },
        kind: 'latency_spike',
        start: T,
        end: T + 600_000,
        source: 'annotation',
      }),
      expect.objectContaining({
        id: '2',
        entity: { model: 'churn', version: 'v2' },
        kind: 'error_burst',
        start: T + 1000,
        end: T + 2000,
      }),
    ]);
  });

  it('sorts feedback: confirmed -> incident, false-alarm -> false alarm, acknowledged/escalated -> feedback only', () => {
    const fb = (id: number, kind: string) => ({
      id,
      time: T + id,
      timeEnd: T + id + 60_000,
      tags: ['anomalyscore', `feedback:${kind}`, 'tier:review', 'model:fraud', 'version:v1'],
      dashboardUID: 'abc',
      panelId: 4,
    });
    const gt = parseAnnotations([fb(1, 'confirmed'), fb(2, 'false-alarm'), fb(3, 'acknowledged'), fb(4, 'escalated')]);
    expect(gt.errors).toEqual([]);
    expect(gt.incidents.map((e) => [e.id, e.source, e.tier])).toEqual([['1', 'feedback', 'review']]);
    expect(gt.falseAlarms.map((e) => [e.id, e.entity, e.dashboardUID, e.panelId])).toEqual([
      ['2', { model: 'fraud', version: 'v1' }, 'abc', 4],
    ]);
    expect(gt.feedback.map((e) => e.feedback)).toEqual(['confirmed', 'false-alarm', 'acknowledged', 'escalated']);
  });

  it('names the annotation id of every malformed annotation', () => {
    const bad = [
      { id: 11, time: 'yesterday', tags: ['incident', 'model:a'] },
      { id: 12, time: T, timeEnd: T - 1, tags: ['incident', 'model:a'] },
      { id: 13, time: T, tags: ['incident'], text: 'no entity here' },
      { id: 14, time: T, tags: ['anomalyscore', 'feedback:maybe', 'model:a'] },
      { id: 15, time: T, tags: ['anomalyscore', 'feedback:confirmed', 'feedback:false-alarm', 'model:a'] },
      { id: 16, time: T, tags: ['incident'], text: '{"entity": oops}' },
      { id: 17, time: T, tags: ['anomalyscore', 'feedback:confirmed', 'tier:urgent', 'model:a'] },
      { id: 18, time: T, tags: ['incident', 'model:a'] },
    ];
    const gt = parseAnnotations(bad);
    expect(gt.errors.map((e) => e.id)).toEqual(['11', '12', '13', '14', '15', '16', '17']);
    expect(gt.errors[0].message).toMatch(/time must be epoch milliseconds/);
    expect(gt.errors[2].message).toMatch(/no entity/);
    expect(gt.errors[3].message).toMatch(/unknown feedback "feedback:maybe"/);
    expect(gt.errors[5].message).toMatch(/does not parse/);
    expect(gt.errors[6].message).toMatch(/tier must be one of/);
    expect(gt.incidents.map((e) => e.id)).toEqual(['18']);
    expect(() => parseAnnotations(bad, { strict: true })).toThrow(GroundTruthError);
    expect(() => parseAnnotations(bad, { strict: true })).toThrow(/annotation 13: no entity/);
  });

  it('matches an event to every entity carrying its labels', () => {
    const ev = { entity: { model: 'fraud' } };
    expect(matchesEntity(ev, { model: 'fraud', region: 'eu' })).toBe(true);
    expect(matchesEntity(ev, { model: 'churn', region: 'eu' })).toBe(false);
  });
});

describe('incidents.json', () => {
  const file = {
    incidents: [
      {
        id: 'inc-1',
        entity: { model: 'fraud', version: 'v1', region: 'eu' },
        kind: 'latency_spike',
        start: T,
        end: T + 60_000,
      },
    ],
    benign: [
      {
        id: 'ben-1',
        entity: { model: 'fraud', version: 'v1', region: 'eu' },
        kind: 'deploy',
        start: T + 1,
        end: T + 2,
      },
    ],
    seed: 1,
    start: 0,
    end: 1,
    stepMs: 60_000,
    entities: [],
  };

  it('reads incidents and benign events; parseGroundTruth detects the format', () => {
    const gt = parseIncidentsJson(file);
    expect(gt.incidents).toHaveLength(1);
    expect(gt.benign[0]).toEqual(expect.objectContaining({ id: 'ben-1', kind: 'deploy', source: 'incidents.json' }));
    expect(parseGroundTruth(file).incidents[0].id).toBe('inc-1');
    expect(parseGroundTruth([]).incidents).toEqual([]);
    const merged = mergeGroundTruth(
      gt,
      parseAnnotations([{ id: 9, time: T, tags: ['anomalyscore', 'feedback:false-alarm', 'model:fraud'] }])
    );
    expect([merged.incidents.length, merged.falseAlarms.length, merged.benign.length]).toEqual([1, 1, 1]);
  });

  it('reports a broken incident by id', () => {
    const gt = parseIncidentsJson({ incidents: [{ id: 'inc-9', entity: {}, kind: 'x', start: T, end: T }] });
    expect(gt.errors).toEqual([{ id: 'inc-9', message: expect.stringMatching(/entity/) }]);
  });
});
