import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { entityRow } from '../../data/entities';
import { scoreFrameViews } from '../../data/frames';
import { plainScoreFrame } from '../../testing/frames';
import { EntityRow, TIER_NAMES, TierName } from '../../types';
import { TriageQueue } from './TriageQueue';
import { ROW_HEIGHT } from './styles';

jest.mock('@grafana/ui', () => require('../../testing/mockCharts').chartMocks());

const tierOf = (s: number): TierName => (s >= 75 ? 'critical' : s >= 50 ? 'review' : s >= 25 ? 'watch' : 'ok');

function setup(
  entities: Array<{ model: string; region?: string; scores: number[] }>,
  props: Partial<React.ComponentProps<typeof TriageQueue>> = {}
) {
  const frames = entities.map((e) =>
    plainScoreFrame({ model: e.model, region: e.region ?? 'eu' }, e.scores, e.scores.map(tierOf))
  );
  const views = scoreFrameViews(frames);
  const rows = views.map(entityRow);
  const onSelect = jest.fn<void, [EntityRow]>();
  render(
    <TriageQueue
      rows={rows}
      views={views}
      sortBy="current"
      maxEntities={1000}
      tiersShown={TIER_NAMES}
      selectedKey={undefined}
      onSelect={onSelect}
      width={500}
      height={400}
      {...props}
    />
  );
  return { onSelect, rows };
}

describe('TriageQueue', () => {
  const entities = [
    { model: 'calm', scores: [5, 10] },
    { model: 'spiky', region: 'us', scores: [95, 30] },
    { model: 'hot', scores: [40, 80] },
    { model: 'rising', region: 'us', scores: [20, 55] },
  ];

  it('orders by current score, highest first, with tier, top contributor and action', () => {
    setup(entities);
    const rows = screen.getAllByTestId('anomalyscore-entity');
    expect(rows.map((r) => within(r).getByTestId('anomalyscore-tier').textContent)).toEqual([
      'critical',
      'review',
      'watch',
      'ok',
    ]);
    expect(rows.map((r) => within(r).getByTestId('anomalyscore-entity-score').textContent)).toEqual([
      '80 / 80',
      '55 / 55',
      '30 / 95',
      '10 / 10',
    ]);
    expect(rows[0]).toHaveTextContent('main');
    expect(rows[0]).toHaveTextContent('contain: roll back');
  });

  it('orders by peak score', () => {
    setup(entities, { sortBy: 'peak' });
    const scores = screen.getAllByTestId('anomalyscore-entity-score').map((el) => el.textContent);
    expect(scores).toEqual(['30 / 95', '80 / 80', '55 / 55', '10 / 10']);
  });

  it('filters by tier buttons and by label text', () => {
    setup(entities);
    fireEvent.click(screen.getByTestId('anomalyscore-tier-filter-critical'));
    fireEvent.click(screen.getByTestId('anomalyscore-tier-filter-watch'));
    expect(screen.getAllByTestId('anomalyscore-tier').map((b) => b.textContent)).toEqual(['critical', 'watch']);
    fireEvent.change(screen.getByTestId('anomalyscore-filter-text'), { target: { value: 'region=us' } });
    expect(screen.getAllByTestId('anomalyscore-entity')).toHaveLength(1);
    expect(screen.getByTestId('anomalyscore-entity')).toHaveTextContent('spiky');
    expect(screen.getByTestId('anomalyscore-count')).toHaveTextContent('1 of 4');
  });

  it('honours the tiers-shown option', () => {
    setup(entities, { tiersShown: ['review', 'critical'] });
    expect(screen.getAllByTestId('anomalyscore-tier').map((b) => b.textContent)).toEqual(['critical', 'review']);
    expect(screen.queryByTestId('anomalyscore-tier-filter-ok')).toBeNull();
  });

  it('selects with Enter/Space and moves with the arrow keys', () => {
    const { onSelect } = setup(entities);
    const rows = screen.getAllByTestId('anomalyscore-entity');
    expect(rows[0]).toHaveAttribute('tabindex', '0');
    expect(rows[1]).toHaveAttribute('tabindex', '-1');
    rows[0].focus();
    fireEvent.keyDown(rows[0], { key: 'ArrowDown' });
    const moved = screen.getAllByTestId('anomalyscore-entity');
    expect(moved[1]).toHaveAttribute('tabindex', '0');
    expect(document.activeElement).toBe(moved[1]);
    fireEvent.keyDown(moved[1], { key: 'Enter' });
    expect(onSelect).toHaveBeenCalledTimes(1);
    expect(onSelect.mock.calls[0][0].labels.model).toBe('rising');
    fireEvent.keyDown(moved[1], { key: 'ArrowUp' });
    fireEvent.keyDown(screen.getAllByTestId('anomalyscore-entity')[0], { key: ' ' });
    expect(onSelect.mock.calls[1][0].labels.model).toBe('hot');
  });

  it('renders only a window of rows for 1,000 entities and scrolls through them', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      model: `m${String(i).padStart(4, '0')}`,
      scores: [(i * 37) % 100],
    }));
    setup(many, { height: 400 });
    const rendered = screen.getAllByTestId('anomalyscore-entity');
    expect(rendered.length).toBeGreaterThan(5);
    expect(rendered.length).toBeLessThan(40);
    expect(screen.getByTestId('anomalyscore-count')).toHaveTextContent('1000 of 1000');
    const list = screen.getByTestId('anomalyscore-queue-list');
    expect((list.firstElementChild as HTMLElement).style.height).toBe(`${1000 * ROW_HEIGHT}px`);
    list.scrollTop = 500 * ROW_HEIGHT;
    fireEvent.scroll(list);
    const indexes = screen.getAllByTestId('anomalyscore-entity').map((el) => Number(el.getAttribute('data-index')));
    expect(indexes).toContain(500);
    expect(indexes).not.toContain(0);
    expect(indexes.length).toBeLessThan(40);
  });
});
