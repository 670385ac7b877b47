import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { fmt } from '../../../scoring/explain';
import { PointExplanation } from '../../data/explain';
import { fieldByName, ScoreFrameView } from '../../data/frames';
import { BandChart } from './BandChart';

const WINDOW = 30;

function slice(view: ScoreFrameView, name: string, from: number, to: number): number[] {
  const values = fieldByName(view.frame, name)?.values ?? [];
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    const v = values[i];
    out.push(typeof v === 'number' ? v : NaN);
  }
  return out;
}

function n(x: number): string {
  return fmt(Number.isFinite(x) ? Number(x.toPrecision(4)) : x);
}

/** Per signal at the point: observed vs expected and band, statistic, severity, and the window around it. */
export function SignalTable({ view, ex }: { view: ScoreFrameView; ex: PointExplanation }) {
  const styles = useStyles2(getStyles);
  const from = Math.max(0, ex.index - WINDOW);
  const to = Math.min(view.score.values.length, ex.index + WINDOW + 1);
  const order = new Map(ex.contributions.map((c, i) => [c.id, i]));
  const signals = [...ex.signals].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return (
    <table className={styles.table} data-testid="anomalyscore-signals">
      <thead>
        <tr>
          <th>signal</th>
          <th>observed</th>
          <th>expected</th>
          <th>band</th>
          <th>statistic</th>
          <th>severity</th>
          <th>around the point</th>
        </tr>
      </thead>
      <tbody>
        {signals.map((s) => {
          const hasObserved = fieldByName(view.frame, `observed:${s.id}`) !== undefined;
          const series = hasObserved ? `observed:${s.id}` : `signal:${s.id}`;
          return (
            <tr key={s.id} data-testid="anomalyscore-signal-row" data-signal={s.id}>
              <td title={s.message ?? s.kind}>
                {s.name}
                {s.state && s.state !== 'ok' ? (
                  <span className={styles.state}> ({s.state.replace('_', ' ')})</span>
                ) : null}
              </td>
              <td>{n(s.observed)}</td>
              <td>{n(s.expected)}</td>
              <td>{Number.isFinite(s.lower) || Number.isFinite(s.upper) ? `${n(s.lower)} … ${n(s.upper)}` : '–'}</td>
              <td>{n(s.statistic)}</td>
              <td>
                {n(s.severity)}
                {s.rarity ? (
                  <div className={styles.rarity} data-testid="anomalyscore-signal-rarity">
                    {s.rarity}
                  </div>
                ) : null}
              </td>
              <td>
                <BandChart
                  observed={slice(view, series, from, to)}
                  lower={hasObserved ? slice(view, `lower:${s.id}`, from, to) : []}
                  upper={hasObserved ? slice(view, `upper:${s.id}`, from, to) : []}
                  mark={ex.index - from}
                  width={120}
                  height={24}
                />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    fontVariantNumeric: 'tabular-nums',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': {
      padding: theme.spacing(0.25, 0.75),
      textAlign: 'right',
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
    'th:first-child, td:first-child': { textAlign: 'left' },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  state: css({ color: theme.colors.warning.text }),
  rarity: css({
    color: theme.colors.text.secondary,
    textAlign: 'left',
    maxWidth: 260,
    whiteSpace: 'normal',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
