import React from 'react';
import { render, screen } from '@testing-library/react';
import { createDataFrame, FieldType, getDefaultTimeRange, LoadingState, PanelProps } from '@grafana/data';
import { AnomalyPanel } from './AnomalyPanel';
import { PanelOptions } from '../types';

function props(series: PanelProps['data']['series'], options: PanelOptions): PanelProps<PanelOptions> {
  return {
    id: 1,
    data: { series, state: LoadingState.Done, timeRange: getDefaultTimeRange() },
    options,
    fieldConfig: { defaults: {}, overrides: [] },
  } as unknown as PanelProps<PanelOptions>;
}

const frame = (model: string, score: number, tier: string) =>
  createDataFrame({
    fields: [
      { name: 'Time', type: FieldType.time, values: [0] },
      { name: 'score', type: FieldType.number, values: [score], labels: { model } },
      { name: 'tier', type: FieldType.string, values: [tier] },
    ],
  });

describe('AnomalyPanel', () => {
  it('lists entities by score and renders hostile label values as text', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    render(<AnomalyPanel {...props([frame('calm', 12, 'ok'), frame(hostile, 88, 'critical')], { sortBy: 'current', maxEntities: 10 })} />);
    const rows = screen.getAllByTestId('anomalyscore-entity');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent(hostile);
    expect(rows[0]).toHaveTextContent('critical');
    expect(rows[1]).toHaveTextContent('calm');
    expect(document.querySelector('img[src="x"]')).toBeNull();
  });

  it('honours the maximum number of entities', () => {
    render(<AnomalyPanel {...props([frame('a', 1, 'ok'), frame('b', 2, 'ok')], { sortBy: 'current', maxEntities: 1 })} />);
    expect(screen.getAllByTestId('anomalyscore-entity')).toHaveLength(1);
  });
});
