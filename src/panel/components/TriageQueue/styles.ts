import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';

export const ROW_HEIGHT = 48;

export const getQueueStyles = (theme: GrafanaTheme2) => ({
  root: css({ display: 'flex', flexDirection: 'column', height: '100%', minWidth: 0 }),
  filters: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    alignItems: 'center',
    paddingBottom: theme.spacing(0.5),
  }),
  count: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize, marginLeft: 'auto' }),
  list: css({ outline: 'none' }),
  row: css({
    display: 'grid',
    gridTemplateColumns: 'auto minmax(60px, 1fr) auto auto',
    gridTemplateRows: '24px 20px',
    columnGap: theme.spacing(1),
    alignItems: 'center',
    padding: theme.spacing(0.25, 1),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    cursor: 'pointer',
    '&:hover': { background: theme.colors.action.hover },
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}`, outlineOffset: -2 },
  }),
  selected: css({ background: theme.colors.action.selected }),
  name: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  spark: css({ display: 'flex', alignItems: 'center' }),
  score: css({
    fontWeight: theme.typography.fontWeightMedium,
    fontVariantNumeric: 'tabular-nums',
    textAlign: 'right',
    minWidth: 56,
  }),
  peak: css({ color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightRegular }),
  meta: css({
    gridColumn: '1 / -1',
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 1fr) auto minmax(0, 2fr)',
    columnGap: theme.spacing(1),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    '& > span': { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  }),
  action: css({ textAlign: 'right' }),
});

export type QueueStyles = ReturnType<typeof getQueueStyles>;
