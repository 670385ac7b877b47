import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

/** Plain semantic tables and page sections, theme tokens only. */
export const getSharedStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(3), maxWidth: 1400 }),
  section: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1.5),
    padding: theme.spacing(2),
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  tableWrap: css({ overflowX: 'auto' }),
  table: css({
    borderCollapse: 'collapse',
    width: '100%',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': {
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      verticalAlign: 'top',
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
    'td.num, th.num': { textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
    caption: { textAlign: 'left', color: theme.colors.text.secondary, padding: theme.spacing(0.5, 0) },
  }),
  better: css({ color: theme.colors.success.text }),
  worse: css({ color: theme.colors.error.text }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }),
  link: css({ color: theme.colors.text.link, '&:hover': { textDecoration: 'underline' } }),
  list: css({ margin: 0, padding: 0 }),
  muted: css({ color: theme.colors.text.secondary }),
});
