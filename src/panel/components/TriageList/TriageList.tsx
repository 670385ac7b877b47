import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Badge, BadgeColor, useStyles2 } from '@grafana/ui';
import { EntityRow, TierName } from '../../types';

const TIER_BADGE: Record<TierName, BadgeColor> = {
  ok: 'green',
  watch: 'blue',
  review: 'orange',
  critical: 'red',
};

interface Props {
  rows: EntityRow[];
}

/** One line per entity: tier badge, entity labels (rendered as text, never HTML) and scores. */
export function TriageList({ rows }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <ol className={styles.list} aria-label="Entities by anomaly score">
      {rows.map((row) => (
        <li key={row.key} className={styles.row} data-testid="anomalyscore-entity">
          {row.tier ? <Badge text={row.tier} color={TIER_BADGE[row.tier]} /> : <Badge text="no tier" color="purple" />}
          <span className={styles.name} title={row.key}>
            {row.key}
          </span>
          <span className={styles.score}>{Number.isNaN(row.current) ? '–' : row.current.toFixed(0)}</span>
          <span className={styles.peak}>peak {Number.isNaN(row.peak) ? '–' : row.peak.toFixed(0)}</span>
        </li>
      ))}
    </ol>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0, overflowY: 'auto', height: '100%' }),
  row: css({
    display: 'grid',
    gridTemplateColumns: 'auto 1fr auto auto',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(0.5, 1),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  name: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  score: css({ fontWeight: theme.typography.fontWeightMedium, fontVariantNumeric: 'tabular-nums' }),
  peak: css({ color: theme.colors.text.secondary, fontVariantNumeric: 'tabular-nums' }),
});
