import { createDataFrame, FieldType } from '@grafana/data';
import { entitiesFromFrames, filterEntities, formatDuration, queueRows, sortEntities } from './entities';
import { fixtureSpec, severityFrame, STEP_MS, T0 } from '../testing/frames';

function scoreFrame(labels: Record<string, string>, scores: number[], tiers?: string[]) {
  return createDataFrame({
    fields: [
      { name: 'Time', type: FieldType.time, values: scores.map((_, i) => i * 60000) },
      { name: 'score', type: FieldType.number, values: scores, labels },
      ...(tiers ? [{ name: 'tier', type: FieldType.string, values: tiers }] : []),
    ],
  });
}

describe('entitiesFromFrames', () => {
  it('reads current (last finite) and peak score, tier, since and labels', () => {
    const rows = entitiesFromFrames([
      scoreFrame({ model: 'a' }, [10, 80, 30, NaN], ['ok', 'critical', 'watch', 'watch']),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      key: '{model="a"}',
      labels: { model: 'a' },
      current: 30,
      peak: 80,
      peakTime: 60000,
      tier: 'watch',
      since: 120000,
      frameIndex: 0,
    });
  });

  it('ignores frames without a score field and unknown tier values', () => {
    const other = createDataFrame({ fields: [{ name: 'Value', type: FieldType.number, values: [1] }] });
    const rows = entitiesFromFrames([other, scoreFrame({ model: 'b' }, [5], ['bogus'])]);
    expect(rows).toHaveLength(1);
    expect(rows[0].tier).toBeUndefined();
    expect(rows[0].frameIndex).toBe(1);
  });

  it('reads the top contributor and action from contract frames', () => {
    const frame = severityFrame(
      { model: 'fraud', version: '3' },
      { latency: [0, 0.2, 0.9], errors: [0, 0.1, 0.5], drift: [0, 0, 0] }
    );
    const [row] = entitiesFromFrames([frame]);
    expect(row.key).toBe('{model="fraud", version="3"}');
    expect(row.topContributor?.id).toBe('latency');
    expect(row.topContributor?.name).toBe('p99 latency');
    expect(row.tier).toBe('critical');
    expect(row.action).toBe('roll back');
    expect(row.since).toBe(T0 + 2 * STEP_MS);
    expect(fixtureSpec().tiers.playbook.critical.action).toBe('roll back');
  });
});

describe('sortEntities', () => {
  const rows = entitiesFromFrames([
    scoreFrame({ m: 'low' }, [90, 10]),
    scoreFrame({ m: 'high' }, [20, 60]),
    scoreFrame({ m: 'none' }, [NaN]),
  ]);

  it('orders by current score, highest first, unscored last', () => {
    expect(sortEntities(rows, 'current').map((r) => r.labels.m)).toEqual(['high', 'low', 'none']);
  });

  it('orders by peak score', () => {
    expect(sortEntities(rows, 'peak').map((r) => r.labels.m)).toEqual(['low', 'high', 'none']);
  });
});

describe('filterEntities / queueRows', () => {
  const rows = entitiesFromFrames([
    scoreFrame({ model: 'fraud', region: 'eu' }, [80], ['critical']),
    scoreFrame({ model: 'churn', region: 'us' }, [40], ['watch']),
    scoreFrame({ model: 'ranker', region: 'eu' }, [55], ['review']),
    scoreFrame({ model: 'spam', region: 'us' }, [3], ['ok']),
  ]);

  it('filters by tier', () => {
    expect(filterEntities(rows, { tiers: ['critical', 'review'] }).map((r) => r.labels.model)).toEqual([
      'fraud',
      'ranker',
    ]);
    expect(filterEntities(rows, { tiers: [] })).toHaveLength(4);
  });

  it('filters by label text, case-insensitively, also as name=value', () => {
    expect(filterEntities(rows, { text: 'EU' }).map((r) => r.labels.model)).toEqual(['fraud', 'ranker']);
    expect(filterEntities(rows, { text: 'region=us' }).map((r) => r.labels.model)).toEqual(['churn', 'spam']);
    expect(filterEntities(rows, { text: 'nomatch' })).toHaveLength(0);
  });

  it('sorts, filters then caps', () => {
    expect(queueRows(rows, 'current', { text: 'us' }, 1).map((r) => r.labels.model)).toEqual(['churn']);
    expect(queueRows(rows, 'current', {}, 10).map((r) => r.labels.model)).toEqual(['fraud', 'ranker', 'churn', 'spam']);
  });
});

describe('formatDuration', () => {
  it('formats compactly', () => {
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(5 * 60_000)).toBe('5m');
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2h 5m');
    expect(formatDuration(26 * 3600_000)).toBe('1d 2h');
    expect(formatDuration(NaN)).toBe('–');
  });
});
