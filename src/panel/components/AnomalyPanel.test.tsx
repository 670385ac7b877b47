import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { createDataFrame, FieldType, getDefaultTimeRange, LoadingState, PanelProps } from '@grafana/data';
import { AnomalyPanel } from './AnomalyPanel';
import { PanelOptions } from '../types';
import { severityFrame } from '../testing/frames';

jest.mock('@grafana/ui', () => require('../testing/mockCharts').chartMocks());

function props(
  series: PanelProps['data']['series'],
  options: Partial<PanelOptions>,
  size = { width: 1000, height: 700 }
): PanelProps<PanelOptions> {
  return {
    id: 1,
    data: { series, state: LoadingState.Done, timeRange: getDefaultTimeRange() },
    timeRange: getDefaultTimeRange(),
    timeZone: 'utc',
    options: { sortBy: 'current', maxEntities: 10, ...options },
    fieldConfig: { defaults: {}, overrides: [] },
    onChangeTimeRange: jest.fn(),
    ...size,
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
    render(<AnomalyPanel {...props([frame('calm', 12, 'ok'), frame(hostile, 88, 'critical')], {})} />);
    const rows = screen.getAllByTestId('anomalyscore-entity');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent(hostile);
    expect(rows[0]).toHaveTextContent('critical');
    expect(rows[1]).toHaveTextContent('calm');
    expect(document.querySelector('img[src="x"]')).toBeNull();
  });

  it('honours the maximum number of entities', () => {
    render(<AnomalyPanel {...props([frame('a', 1, 'ok'), frame('b', 2, 'ok')], { maxEntities: 1 })} />);
    expect(screen.getAllByTestId('anomalyscore-entity')).toHaveLength(1);
  });

  it('drills down into the top entity, then into the clicked one, with tier bands on the timeline', () => {
    const frames = [
      severityFrame({ model: 'fraud', version: '3' }, { latency: [0.2, 0.9], errors: [0.1, 0.4], drift: [0, 0] }),
      severityFrame({ model: 'churn', version: '1' }, { latency: [0, 0.1], errors: [0.3, 0.5], drift: [0, 0.2] }),
    ];
    render(<AnomalyPanel {...props(frames, {})} />);
    expect(screen.getByTestId('anomalyscore-drilldown')).toHaveAttribute('data-entity', '{model="fraud", version="3"}');
    expect(screen.getByTestId('timeseries-stub')).toHaveAttribute('data-threshold-mode', 'area');
    const churn = screen.getAllByTestId('anomalyscore-entity').find((r) => r.textContent!.includes('churn'))!;
    fireEvent.click(churn);
    const dd = screen.getByTestId('anomalyscore-drilldown');
    expect(dd).toHaveAttribute('data-entity', '{model="churn", version="1"}');
    expect(within(dd).getAllByTestId('anomalyscore-contrib-bar')[0]).toHaveAttribute('data-signal', 'errors');
    expect(churn).toHaveAttribute('aria-selected', 'true');
  });

  it('shows only the queue, or only the detail, by layout option', () => {
    const frames = [
      severityFrame({ model: 'fraud', version: '3' }, { latency: [0.2, 0.9], errors: [0, 0], drift: [0, 0] }),
    ];
    const { unmount } = render(<AnomalyPanel {...props(frames, { layout: 'queue' })} />);
    expect(screen.getAllByTestId('anomalyscore-entity')).toHaveLength(1);
    expect(screen.queryByTestId('anomalyscore-drilldown')).toBeNull();
    unmount();
    render(<AnomalyPanel {...props(frames, { layout: 'detail' })} />);
    expect(screen.queryByTestId('anomalyscore-entity')).toBeNull();
    expect(screen.getByTestId('anomalyscore-drilldown')).toBeInTheDocument();
    expect(screen.getByTestId('combobox-stub')).toHaveValue('{model="fraud", version="3"}');
  });

  it('filters by the tiers-shown option', () => {
    render(
      <AnomalyPanel {...props([frame('a', 10, 'ok'), frame('b', 90, 'critical')], { tiersShown: ['critical'] })} />
    );
    expect(screen.getAllByTestId('anomalyscore-entity')).toHaveLength(1);
    expect(screen.getByTestId('anomalyscore-entity')).toHaveTextContent('b');
  });
});
