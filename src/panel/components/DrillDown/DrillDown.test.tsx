import React from 'react';
import { render, screen } from '@testing-library/react';
import { scoreFrameView } from '../../data/frames';
import { fixtureSpec, severityFrame } from '../../testing/frames';
import { DrillDown } from './DrillDown';

jest.mock('@grafana/ui', () => require('../../testing/mockCharts').chartMocks());

const HOSTILE = '<img src=x onerror=alert(1)>';

function renderAt(index: number, spec = fixtureSpec()) {
  const frame = severityFrame(
    { model: HOSTILE, version: '3' },
    { latency: [0.1, 0.6, 0.8], errors: [0, 0.3, 0.4], drift: [0, 0.1, 0] },
    spec
  );
  const view = scoreFrameView(frame, 0)!;
  render(
    <DrillDown view={view} index={index} pinned annotations={[]} from={0} to={Date.now()} getTimeline={() => null} />
  );
  return view;
}

describe('DrillDown', () => {
  it('shows contribution bars, largest first, that sum to the score', () => {
    const view = renderAt(2);
    const bars = screen.getAllByTestId('anomalyscore-contrib-bar');
    const values = bars.map((b) => Number(b.getAttribute('data-value')));
    expect(bars.map((b) => b.getAttribute('data-signal'))).toEqual(['latency', 'errors', 'drift']);
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    const score = Number(screen.getByTestId('anomalyscore-score-value').getAttribute('data-score'));
    expect(score).toBe(view.score.values[2]);
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(score, 6);
    expect(screen.getByTestId('anomalyscore-contrib-sum').textContent).toBe(
      `${score.toFixed(1)} = ${values[0].toFixed(1)} p99 latency + ${values[1].toFixed(1)} error rate`
    );
    expect(screen.getByTestId('anomalyscore-score-value').textContent).toMatch(/^\d+ \(\d+–\d+\)$/);
  });

  it('shows the action with its runbook, what would change the tier, and observed vs expected', () => {
    renderAt(2);
    expect(screen.getByTestId('anomalyscore-action')).toHaveTextContent('roll back');
    expect(screen.getByTestId('anomalyscore-runbook')).toHaveAttribute('href', 'https://runbooks.example/critical');
    const changes = screen.getAllByTestId('anomalyscore-tier-change');
    expect(changes.length).toBeGreaterThan(0);
    expect(changes[0].textContent).toMatch(/^critical (until p99 latency z < [\d.]+|.*cannot)/);
    expect(screen.getAllByTestId('anomalyscore-signal-row')).toHaveLength(3);
    expect(screen.getAllByTestId('anomalyscore-band-chart').length).toBe(3);
  });

  it('lists the context rules that applied', () => {
    renderAt(1, fixtureSpec({ context: [{ id: 'tier1', description: 'revenue model', match: {}, multiplier: 2 }] }));
    expect(screen.getByTestId('anomalyscore-context')).toHaveTextContent('tier1: evidence x2 (revenue model)');
  });

  it('renders hostile label values as text only', () => {
    renderAt(2);
    expect(screen.getByTestId('anomalyscore-drilldown')).toHaveTextContent(HOSTILE);
    expect(document.querySelector('img')).toBeNull();
  });
});

describe('DrillDown with a rarity signal', () => {
  it('says how rare the statistic is, in words, and the tier change as a return period', () => {
    const spec = fixtureSpec({
      signals: [
        { id: 'latency', name: 'p99 latency', kind: 'robust_z', direction: 'up' },
        { id: 'errors', name: 'error rate', kind: 'robust_z', direction: 'up', params: { warn: 2, max: 5 } },
      ],
    });
    const frame = severityFrame(
      { model: 'fraud', version: '3' },
      { latency: [0.1, 0.6, 0.8], errors: [0, 0, 0] },
      spec
    );
    const view = scoreFrameView(frame, 0)!;
    render(
      <DrillDown view={view} index={2} pinned annotations={[]} from={0} to={Date.now()} getTimeline={() => null} />
    );
    const rarity = screen.getAllByTestId('anomalyscore-signal-rarity');
    expect(rarity).toHaveLength(1); // the ramp signal has none
    expect(rarity[0].textContent).toMatch(
      /^as rare as 1 in [\d,]+ five-minute spans of its history \(about once in [\d.]+ (days|years)/
    );
    expect(screen.getAllByTestId('anomalyscore-tier-change')[0].textContent).toMatch(
      /until p99 latency is no rarer than once in [\d.]+ (days|years) of its history/
    );
  });
});
