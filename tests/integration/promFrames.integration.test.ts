/** @jest-environment jsdom */
// promFrames without a Prometheus: Grafana-shaped frames from a hand-written query_range
// response (modelled on grafana/grafana's promlib golden files), and the round trip through
// @grafana/data's dataFrameFromJSON that the data source tests rely on. jsdom: @grafana/data
// touches `window` when it loads.
import { FieldType, dataFrameFromJSON, getFieldDisplayName } from '@grafana/data';

import { PromMatrixResult, goDuration, legendName, matrixToFrames, metricNameFromLabels } from './promFrames';

const matrix: PromMatrixResult[] = [
  {
    metric: { __name__: 'model_requests_total', region: 'eu', model: 'fraud', version: 'v1' },
    values: [
      [1641889530.123, '21'],
      [1641889531.123, '32'],
      [1641889532.123, '43'],
    ],
  },
  {
    metric: { model: 'churn', version: 'v1' },
    values: [
      [1641889530, '+Inf'],
      [1641889531, 'NaN'],
      [1641889532, '-Inf'],
    ],
  },
];

describe('promFrames', () => {
  const frames = matrixToFrames(matrix, { expr: 'up', stepMs: 1000 });

  it('builds one timeseries-multi frame per series with Grafana metadata', () => {
    expect(frames).toHaveLength(2);
    expect(frames[0].schema.meta).toEqual({
      type: 'timeseries-multi',
      typeVersion: [0, 1],
      custom: { calculatedMinStep: 1000, resultType: 'matrix' },
      executedQueryString: 'Expr: up\nStep: 1s',
    });
    expect(frames[1].schema.meta).toEqual({
      type: 'timeseries-multi',
      typeVersion: [0, 1],
      custom: { resultType: 'matrix' },
    });
    expect(frames[0].schema.fields[0]).toEqual({
      name: 'Time',
      type: 'time',
      typeInfo: { frame: 'time.Time' },
      config: { interval: 1000 },
    });
    expect(frames[0].schema.fields[1]).toEqual({
      name: 'model_requests_total',
      type: 'number',
      typeInfo: { frame: 'float64' },
      labels: { __name__: 'model_requests_total', model: 'fraud', region: 'eu', version: 'v1' },
      config: { displayNameFromDS: 'model_requests_total{model="fraud", region="eu", version="v1"}' },
    });
    expect(frames[0].data.values).toEqual([
      [1641889530123, 1641889531123, 1641889532123],
      [21, 32, 43],
    ]);
    expect(frames[1].schema.fields[1].name).toBe('Value');
    expect(frames[1].data).toEqual({
      values: [
        [1641889530000, 1641889531000, 1641889532000],
        [null, null, null],
      ],
      entities: [null, { Inf: [0], NaN: [1], NegInf: [2] }],
    });
  });

  it('decodes into DataFrames with NaN and ±Infinity through dataFrameFromJSON', () => {
    const df = dataFrameFromJSON(JSON.parse(JSON.stringify(frames[1])));
    expect(df.fields[0].type).toBe(FieldType.time);
    expect(df.fields[0].config.interval).toBe(1000);
    expect(df.fields[1].type).toBe(FieldType.number);
    expect(df.fields[1].values[0]).toBe(Infinity);
    expect(Number.isNaN(df.fields[1].values[1])).toBe(true);
    expect(df.fields[1].values[2]).toBe(-Infinity);
    expect(df.refId).toBe('A');
    const first = dataFrameFromJSON(frames[0]);
    expect(first.meta?.executedQueryString).toBe('Expr: up\nStep: 1s');
    expect(getFieldDisplayName(first.fields[1], first)).toBe(
      'model_requests_total{model="fraud", region="eu", version="v1"}'
    );
  });

  it('can return raw NaN numbers instead', () => {
    const [, f] = matrixToFrames(matrix, { expr: 'up', stepMs: 1000, specialValues: 'number', refId: null });
    expect(f.data.values[1]).toEqual([Infinity, NaN, -Infinity]);
    expect(f.data.entities).toBeUndefined();
    expect('refId' in f.schema).toBe(false);
  });

  it('formats steps like Go durations and names series like Prometheus', () => {
    expect([1000, 15000, 60000, 90000, 300000, 3600000, 5400000, 500, 1500].map(goDuration)).toEqual([
      '1s',
      '15s',
      '1m0s',
      '1m30s',
      '5m0s',
      '1h0m0s',
      '1h30m0s',
      '500ms',
      '1.5s',
    ]);
    expect(metricNameFromLabels({})).toBe('{}');
    expect(metricNameFromLabels({ __name__: 'up' })).toBe('up');
    expect(metricNameFromLabels({ b: '2', a: 'x"y' })).toBe('{a="x\\"y", b="2"}');
    expect(legendName({}, 'vector(1)')).toBe('vector(1)');
    expect(legendName({ a: '1' }, 'x', '__auto')).toBe('');
    expect(legendName({ a: '1' }, 'x', '{{a}}-{{ b }}')).toBe('1-');
  });
});
