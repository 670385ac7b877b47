import { createDataFrame, FieldType } from '@grafana/data';
import { entitiesFromFrames, sortEntities } from './entities';

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
  it('reads current (last finite) and peak score, tier and labels', () => {
    const rows = entitiesFromFrames([scoreFrame({ model: 'a' }, [10, 80, 30, NaN], ['ok', 'critical', 'watch', 'watch'])]);
    expect(rows).toEqual([{ key: '{model="a"}', labels: { model: 'a' }, current: 30, peak: 80, tier: 'watch' }]);
  });

  it('ignores frames without a score field and unknown tier values', () => {
    const other = createDataFrame({ fields: [{ name: 'Value', type: FieldType.number, values: [1] }] });
    const rows = entitiesFromFrames([other, scoreFrame({ model: 'b' }, [5], ['bogus'])]);
    expect(rows).toHaveLength(1);
    expect(rows[0].tier).toBeUndefined();
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
