import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { PointExplanation } from '../../data/explain';

/** One horizontal bar per signal, longest first; the bars together are the score. */
export function ContributionBars({ ex, color }: { ex: PointExplanation; color: string }) {
  const styles = useStyles2(getStyles);
  const scale = Math.max(ex.score, 1e-9);
  return (
    <div>
      <div className={styles.sum} data-testid="anomalyscore-contrib-sum">
        {ex.sumText}
      </div>
      <ul className={styles.list} aria-label="Contributions per signal">
        {ex.contributions.map((c) => (
          <li
            key={c.id}
            className={styles.item}
            data-testid="anomalyscore-contrib-bar"
            data-signal={c.id}
            data-value={c.value}
          >
            <span className={styles.name} title={c.name}>
              {c.name}
            </span>
            <span className={styles.track}>
              <span
                className={styles.bar}
                style={{ width: `${Math.max(0, Math.min(100, (100 * c.value) / scale))}%`, background: color }}
              />
            </span>
            <span className={styles.value}>
              {c.value.toFixed(1)} <span className={styles.share}>({Math.round(c.share * 100)}%)</span>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  sum: css({
    fontVariantNumeric: 'tabular-nums',
    marginBottom: theme.spacing(0.5),
    color: theme.colors.text.secondary,
  }),
  list: css({ listStyle: 'none', margin: 0, padding: 0 }),
  item: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(80px, 30%) 1fr auto',
    gap: theme.spacing(1),
    alignItems: 'center',
    height: 22,
  }),
  name: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  track: css({
    height: 12,
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.default,
    overflow: 'hidden',
  }),
  bar: css({ display: 'block', height: '100%' }),
  value: css({ fontVariantNumeric: 'tabular-nums', textAlign: 'right', minWidth: 80 }),
  share: css({ color: theme.colors.text.secondary }),
});
