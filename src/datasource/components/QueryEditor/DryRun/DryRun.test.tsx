import React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { Observable, of, Subject, throwError } from 'rxjs';
import { dateTime, LoadingState, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import type { ScoreSpecInput } from '../../../../scoring';
import type { AnomalyQuery } from '../../../types';
import type { DryRunDataSource } from './dryRunQuery';
import { DryRun } from './DryRun';
import { scoredFrames, series, type FixtureEntity } from './dryRunFixtures';

const NOW = Date.UTC(2026, 0, 12, 12, 0, 0);
const WEEK = 7 * 86_400_000;
const N = 200;
const PREFIX = 'dr';

/** Same signals as dryRunStats.test: lat is severity 1 beyond 10; err (weight 0.5) ramps 10 -> 20. */
const spec = (errWeight = 0.5): ScoreSpecInput => ({
  id: 'dry',
  entity: ['model'],
  step: '1m',
  signals: [
    { id: 'lat', name: 'p99 latency', kind: 'threshold', params: { above: 10 }, source: { queries: { value: 'lat' } } },
    { id: 'err', kind: 'threshold', weight: errWeight, params: { above: 10, soft: 10 }, source: { queries: { value: 'err' } } },
  ],
  tiers: { hysteresis: 0, minDuration: '0s' },
});

const query = (s: ScoreSpecInput = spec()): AnomalyQuery => ({ refId: 'A', format: 'timeseries', history: '6h', spec: s });

/**
 * lat violated on 7 of entity a's 200 steps, never on b's: 7 / 400 = 1.75 % at watch and review (noisy).
 * err judged on 196 steps of a (4 missing, none on b): 3 at watch (1.53 %), 1 at review (0.51 %),
 * missing 204 / 400 = 51 %.
 */
const ENTITIES: FixtureEntity[] = [
  {
    labels: { model: 'a' },
    values: {
      lat: series(N, 5, { 3: 20, 4: 20, 5: 20, 6: 20, 7: 20, 8: 20, 9: 20 }),
      err: series(N, 0, { 0: NaN, 1: NaN, 2: NaN, 3: NaN, 10: 15, 11: 15, 15: 25 }),
    },
  },
  { labels: { model: 'b' }, values: { lat: series(N, 5) } },
];

/** The data source's answer: the engine's frames for the spec the request carries. */
function framesFor(request: DataQueryRequest<AnomalyQuery>, entities = ENTITIES) {
  return scoredFrames(request.targets[0].spec, entities, request.targets[0].refId).frames;
}

function fakeDataSource(respond: (request: DataQueryRequest<AnomalyQuery>) => Observable<DataQueryResponse>) {
  const queryFn = jest.fn(respond);
  const datasource: DryRunDataSource = { options: {}, query: queryFn };
  return { datasource, queryFn };
}

const done = (request: DataQueryRequest<AnomalyQuery>): Observable<DataQueryResponse> =>
  of({ data: framesFor(request), state: LoadingState.Done });

function cells(rowId: string): string[] {
  const row = screen.getByTestId(`${PREFIX}-dry-run-row-${rowId}`);
  return within(row)
    .getAllByRole('cell')
    .map((c) => c.textContent ?? '');
}

const runButton = () => screen.getByRole('button', { name: 'Run dry run' });
const status = () => screen.getByRole('status', { name: 'Dry-run progress' });

describe('DryRun', () => {
  it('runs nothing until asked, then shows each signal’s shares from the data source’s frames', () => {
    const { datasource, queryFn } = fakeDataSource(done);
    render(<DryRun query={query()} datasource={datasource} idPrefix={PREFIX} now={() => NOW} />);
    expect(queryFn).not.toHaveBeenCalled();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();

    fireEvent.click(runButton());
    expect(queryFn).toHaveBeenCalledTimes(1);
    // An ordinary query of this data source for the spec being edited, over the last 7 days, at a
    // step coarse enough for 7 days plus 6 h of history: 626,400 s / 10,000 -> 63 s.
    const request = queryFn.mock.calls[0][0];
    expect(request.range.to.valueOf()).toBe(NOW);
    expect(request.range.from.valueOf()).toBe(NOW - WEEK);
    expect(request.intervalMs).toBe(63_000);
    expect(request.targets[0]).toMatchObject({ refId: 'A', format: 'timeseries', spec: { ...spec(), step: '63s' } });

    const table = screen.getByRole('table');
    expect(within(table).getByText(/2 entities over the last 7 days at 63 s steps/)).toBeInTheDocument();
    const lat = screen.getByTestId(`${PREFIX}-dry-run-row-lat`);
    expect(within(lat).getByRole('rowheader')).toHaveTextContent('p99 latency (lat)');
    expect(cells('lat')).toEqual(['threshold', '1.8 %', '1.8 %', '0 %', 'noisy']);
    expect(cells('err')).toEqual(['threshold', '1.5 %', '0.5 %', '51 %', 'ok']);
    // Combined: 10 of 400 judged steps at watch, 8 at review.
    expect(cells('combined')).toEqual(['evidence', '2.5 %', '2.0 %', '0 %', '']);
    expect(screen.getByText(/at or above watch 2\.5 % and at or above review 2\.0 % of the time/)).toBeInTheDocument();
    // The noisy threshold is explained in text, not only in the badge's tooltip.
    expect(screen.getByText(/more than 1 % of the time it was judged/)).toBeInTheDocument();
  });

  it('says what it is doing while the data source works, and replaces that with the figures', () => {
    const responses = new Subject<DataQueryResponse>();
    const { datasource } = fakeDataSource(() => responses);
    render(<DryRun query={query()} datasource={datasource} idPrefix={PREFIX} now={() => NOW} />);
    fireEvent.click(runButton());

    expect(status()).toHaveTextContent(
      'Running the dry run: querying 2 signals over the last 7 days at 63 s steps and scoring every entity…'
    );
    expect(status()).toHaveTextContent("coarser than the spec's 1 min");
    expect(screen.getByRole('button', { name: 'Cancel dry run' })).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();

    const request = { targets: [query()] } as DataQueryRequest<AnomalyQuery>;
    act(() => {
      responses.next({ data: framesFor(request), state: LoadingState.Done });
      responses.complete();
    });
    expect(status()).toHaveTextContent('');
    expect(screen.queryByRole('button', { name: 'Cancel dry run' })).not.toBeInTheDocument();
    expect(cells('lat')[1]).toBe('1.8 %');
  });

  it('shows an upstream failure at its signal and keeps the other signals’ figures', () => {
    const { datasource } = fakeDataSource((request) =>
      of({
        // err's upstream failed: the pipeline scores lat alone and names err's data source.
        data: framesFor(request, ENTITIES.map((e) => ({ ...e, values: { lat: e.values.lat } }))),
        errors: [{ refId: 'A', message: 'signal err: data source "Prometheus": 502 Bad Gateway' }],
        state: LoadingState.Done,
      })
    );
    render(<DryRun query={query()} datasource={datasource} idPrefix={PREFIX} now={() => NOW} />);
    fireEvent.click(runButton());

    const err = screen.getByTestId(`${PREFIX}-dry-run-row-err`);
    expect(within(err).getByRole('rowheader')).toHaveTextContent('data source "Prometheus": 502 Bad Gateway');
    expect(cells('err')).toEqual(['threshold', 'n/a', 'n/a', '100 %', 'error']);
    expect(cells('lat')).toEqual(['threshold', '1.8 %', '1.8 %', '0 %', 'noisy']);
    // Nothing unattributed: no general warning.
    expect(screen.queryByText('The dry run reported problems')).not.toBeInTheDocument();
  });

  it('renders messages as text, never as HTML', () => {
    const { datasource } = fakeDataSource((request) =>
      of({ data: framesFor(request), errors: [{ refId: 'A', message: 'query A: <b>bold</b> & <img src=x>' }] })
    );
    render(<DryRun query={query()} datasource={datasource} idPrefix={PREFIX} now={() => NOW} />);
    fireEvent.click(runButton());
    expect(screen.getByText('query A: <b>bold</b> & <img src=x>')).toBeInTheDocument();
    expect(document.querySelector('b, img')).toBeNull();
  });

  it('after the first run, re-runs on edit once editing pauses, cancelling the request in flight', () => {
    jest.useFakeTimers();
    try {
      const teardowns: jest.Mock[] = [];
      const { datasource, queryFn } = fakeDataSource(() => {
        const teardown = jest.fn();
        teardowns.push(teardown);
        return new Observable<DataQueryResponse>(() => teardown); // never answers
      });
      const props = { datasource, idPrefix: PREFIX, now: () => NOW };
      const { rerender, unmount } = render(<DryRun query={query()} {...props} />);

      // Edits before the first explicit run do nothing.
      rerender(<DryRun query={query(spec(0.6))} {...props} />);
      act(() => jest.advanceTimersByTime(5000));
      expect(queryFn).not.toHaveBeenCalled();

      fireEvent.click(runButton());
      expect(queryFn).toHaveBeenCalledTimes(1);
      expect(teardowns[0]).not.toHaveBeenCalled();

      // An edit cancels the request in flight at once (its figures would be for the old spec)...
      rerender(<DryRun query={query(spec(0.7))} {...props} />);
      expect(teardowns[0]).toHaveBeenCalledTimes(1);
      expect(status()).toHaveTextContent('The query changed: the dry run runs again when you pause editing.');
      // ...and further edits within the debounce postpone the re-run.
      act(() => jest.advanceTimersByTime(1000));
      rerender(<DryRun query={query(spec(0.8))} {...props} />);
      act(() => jest.advanceTimersByTime(1499));
      expect(queryFn).toHaveBeenCalledTimes(1);
      act(() => jest.advanceTimersByTime(1));
      expect(queryFn).toHaveBeenCalledTimes(2);
      expect(queryFn.mock.calls[1][0].targets[0].spec.signals[1].weight).toBe(0.8);

      // A re-render with the same query is not an edit.
      rerender(<DryRun query={query(spec(0.8))} {...props} />);
      act(() => jest.advanceTimersByTime(5000));
      expect(queryFn).toHaveBeenCalledTimes(2);
      expect(teardowns[1]).not.toHaveBeenCalled();

      // Cancel stops the request; unmounting cancels the pending re-run of a later edit.
      fireEvent.click(screen.getByRole('button', { name: 'Cancel dry run' }));
      expect(teardowns[1]).toHaveBeenCalledTimes(1);
      rerender(<DryRun query={query(spec(0.9))} {...props} />);
      unmount();
      act(() => jest.advanceTimersByTime(5000));
      expect(queryFn).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('marks the figures on screen as out of date from an edit until the re-run answers', () => {
    jest.useFakeTimers();
    try {
      const { datasource, queryFn } = fakeDataSource(done);
      const props = { datasource, idPrefix: PREFIX, now: () => NOW };
      const { rerender } = render(<DryRun query={query()} {...props} />);
      fireEvent.click(runButton());
      const figures = () => screen.getByRole('table').closest('[aria-busy]');
      expect(figures()).toHaveAttribute('aria-busy', 'false');

      // Weight 2 on err: its two severity-0.5 steps now reach review alone (100 (1 - 0.5^2) = 75).
      rerender(<DryRun query={query(spec(2))} {...props} />);
      expect(figures()).toHaveAttribute('aria-busy', 'true');
      expect(cells('err')[2]).toBe('0.5 %');
      act(() => jest.advanceTimersByTime(1500));
      expect(queryFn).toHaveBeenCalledTimes(2);
      expect(figures()).toHaveAttribute('aria-busy', 'false');
      expect(cells('err')[2]).toBe('1.5 %');
    } finally {
      jest.useRealTimers();
    }
  });

  it('unsubscribes from a running dry run when unmounted', () => {
    const teardown = jest.fn();
    const { datasource } = fakeDataSource(() => new Observable<DataQueryResponse>(() => teardown));
    const { unmount } = render(<DryRun query={query()} datasource={datasource} idPrefix={PREFIX} now={() => NOW} />);
    fireEvent.click(runButton());
    unmount();
    expect(teardown).toHaveBeenCalledTimes(1);
  });

  it('runs over the dashboard range when chosen, at once if it has run before', () => {
    const { datasource, queryFn } = fakeDataSource(done);
    const from = dateTime(NOW - 6 * 3_600_000);
    const to = dateTime(NOW - 3_600_000);
    const range = { from, to, raw: { from: 'now-6h', to: 'now-1h' } };
    render(<DryRun query={query()} datasource={datasource} range={range} idPrefix={PREFIX} now={() => NOW} />);
    fireEvent.click(runButton());
    fireEvent.click(screen.getByRole('radio', { name: 'Dashboard range' }));
    expect(queryFn).toHaveBeenCalledTimes(2);
    const request = queryFn.mock.calls[1][0];
    expect(request.range.from.valueOf()).toBe(from.valueOf());
    expect(request.range.to.valueOf()).toBe(to.valueOf());
    // 5 h plus 6 h of history fits at the spec's own step.
    expect(request.intervalMs).toBe(60_000);
    expect(request.targets[0].spec).toEqual(spec());
  });

  it('offers the dashboard range only when the editor knows it', () => {
    const { datasource } = fakeDataSource(done);
    render(<DryRun query={query()} datasource={datasource} idPrefix={PREFIX} now={() => NOW} />);
    expect(screen.getByRole('radio', { name: 'Dashboard range' })).toBeDisabled();
    expect(screen.getByRole('radio', { name: 'Last 7 days' })).toBeChecked();
  });

  it('reports a failed request, and a query that cannot run', () => {
    const failing = fakeDataSource(() => throwError(() => new Error('upstream lookup failed')));
    const { unmount } = render(<DryRun query={query()} datasource={failing.datasource} idPrefix={PREFIX} now={() => NOW} />);
    fireEvent.click(runButton());
    expect(screen.getByText('The dry run failed')).toBeInTheDocument();
    expect(screen.getByText('upstream lookup failed')).toBeInTheDocument();
    unmount();

    const idle = fakeDataSource(done);
    render(<DryRun query={query({ id: 'dry', signals: [] })} datasource={idle.datasource} idPrefix={PREFIX} now={() => NOW} />);
    fireEvent.click(runButton());
    expect(idle.queryFn).not.toHaveBeenCalled();
    expect(screen.getByText(/Fix the query first: .*must contain at least one signal/)).toBeInTheDocument();
  });
});
