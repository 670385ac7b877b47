import React from 'react';
import { css } from '@emotion/css';
import { Field, GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { tierColorName } from '../../data/tiers';
import { TierName } from '../../types';

/** The tier as a coloured pill, colour from the tier field's value mappings. */
export function TierBadge({ tier, tierField }: { tier: TierName | undefined; tierField?: Field }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  if (!tier) {
    return (
      <span className={styles.badge} data-testid="anomalyscore-tier">
        no tier
      </span>
    );
  }
  const color = theme.visualization.getColorByName(tierColorName(tier, tierField));
  return (
    <span
      className={styles.badge}
      style={{ background: color, color: theme.colors.getContrastText(color) }}
      data-testid="anomalyscore-tier"
      data-tier={tier}
    >
      {tier}
    </span>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  badge: css({
    display: 'inline-block',
    minWidth: 56,
    textAlign: 'center',
    padding: theme.spacing(0, 0.75),
    borderRadius: theme.shape.radius.pill,
    fontSize: theme.typography.bodySmall.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    background: theme.colors.background.secondary,
    color: theme.colors.text.secondary,
    lineHeight: '20px',
  }),
});
