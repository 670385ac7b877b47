import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';

/** Cards for list items (signals, context rules): theme tokens only, so dark and light both work. */
export const getItemStyles = (theme: GrafanaTheme2) => ({
  item: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    padding: theme.spacing(1, 1.5),
    marginBottom: theme.spacing(1),
  }),
  itemInvalid: css({
    borderColor: theme.colors.error.border,
  }),
  header: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  }),
  title: css({
    margin: 0,
    fontSize: theme.typography.h6.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.text.primary,
  }),
  muted: css({
    color: theme.colors.text.secondary,
    fontWeight: theme.typography.fontWeightRegular,
  }),
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
    columnGap: theme.spacing(2),
  }),
  subheading: css({
    fontSize: theme.typography.bodySmall.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.text.secondary,
    margin: theme.spacing(1, 0, 0.5),
  }),
});
