import React from 'react';
import { css, cx } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Badge, useStyles2 } from '@grafana/ui';
import { formatShare, NOISY_REVIEW_SHARE, type DryRunStats, type SignalDryRun } from './dryRunStats';

/** More messages than this per signal are summarised ("and 9 more"): one per entity adds up fast. */
const MAX_MESSAGES = 3;

const NOISY_PERCENT = `${100 * NOISY_REVIEW_SHARE} %`;
const WEEK_HOURS = (7 * 24 * NOISY_REVIEW_SHARE).toFixed(1);

export const NOISY_EXPLANATION =
  `Noisy: on its own this signal puts the score at review or above on more than ${NOISY_PERCENT} of the ` +
  `time it was judged (about ${WEEK_HOURS} hours per entity-week). A healthy series should reach review ` +
  'alone only rarely; check the query, make its severity less sensitive (rarity target or ramp), or lower its weight.';

export interface DryRunTableProps {
  stats: DryRunStats;
  /** "the last 7 days at 63 s steps": what the figures cover, for the caption. */
  coverage: string;
  /** The composite method, shown on the combined row. */
  method: string;
  idPrefix: string;
  /** The figures are from an earlier version of the spec (a re-run is pending or running). */
  stale: boolean;
}

function SignalStatus({ signal, noteId }: { signal: SignalDryRun; noteId: string }) {
  if (signal.errors.length > 0) {
    return <Badge color="red" icon="exclamation-circle" text="error" />;
  }
  if (signal.noisy) {
    return (
      <Badge color="orange" icon="exclamation-triangle" text="noisy" tooltip={NOISY_EXPLANATION} aria-describedby={noteId} />
    );
  }
  if (signal.judged === 0) {
    return <Badge color="blue" text="no data" />;
  }
  return <Badge color="green" text="ok" />;
}

function Messages({ messages, className }: { messages: string[]; className: string }) {
  if (messages.length === 0) {
    return null;
  }
  const shown = messages.slice(0, MAX_MESSAGES);
  const more = messages.length - shown.length;
  return (
    <ul className={className}>
      {shown.map((m) => (
        <li key={m}>{m}</li>
      ))}
      {more > 0 ? <li>and {more} more</li> : null}
    </ul>
  );
}

/** The figures of one dry run: one row per signal and one for the combined score. */
export function DryRunTable({ stats, coverage, method, idPrefix, stale }: DryRunTableProps) {
  const styles = useStyles2(getStyles);
  const noteId = `${idPrefix}-dry-run-noisy-note`;
  const { combined } = stats;
  return (
    <div className={cx(styles.wrapper, stale && styles.stale)} aria-busy={stale}>
      <table className={styles.table} data-testid={`${idPrefix}-dry-run-table`}>
        <caption className={styles.caption}>
          Share of judged entity-steps at which each signal alone (its weight and the entity&apos;s context applied) would
          put the score at or above the watch ({stats.cuts.watch}) and review ({stats.cuts.review}) cuts; {stats.entities}{' '}
          {stats.entities === 1 ? 'entity' : 'entities'} over {coverage}.
        </caption>
        <thead>
          <tr>
            <th scope="col">Signal</th>
            <th scope="col">Kind</th>
            <th scope="col" className={styles.number}>
              ≥ watch
            </th>
            <th scope="col" className={styles.number}>
              ≥ review
            </th>
            <th scope="col" className={styles.number}>
              Missing or warming up
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {stats.signals.map((s) => (
            <tr key={s.id} data-testid={`${idPrefix}-dry-run-row-${s.id}`}>
              <th scope="row" className={styles.name}>
                {s.name ?? s.id}
                {s.name ? <span className={styles.muted}> ({s.id})</span> : null}
                {s.weight !== 1 ? <span className={styles.muted}> · weight {s.weight}</span> : null}
                <Messages messages={s.errors} className={styles.errors} />
              </th>
              <td>{s.kind}</td>
              <td className={styles.number}>{formatShare(s.watchShare)}</td>
              <td className={styles.number}>{formatShare(s.reviewShare)}</td>
              <td className={styles.number}>{formatShare(s.missingShare)}</td>
              <td>
                <SignalStatus signal={s} noteId={noteId} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-testid={`${idPrefix}-dry-run-row-combined`}>
            <th scope="row" className={styles.name}>
              Combined score
            </th>
            <td>{method}</td>
            <td className={styles.number}>{formatShare(combined.watchShare)}</td>
            <td className={styles.number}>{formatShare(combined.reviewShare)}</td>
            <td className={styles.number}>{formatShare(combined.missingShare)}</td>
            <td />
          </tr>
        </tfoot>
      </table>
      <p className={styles.note}>
        With hysteresis, minimum duration and context rules, the tier was at or above watch{' '}
        {formatShare(combined.tierWatchShare)} and at or above review {formatShare(combined.tierReviewShare)} of the time.
      </p>
      <p className={styles.note} id={noteId}>
        {NOISY_EXPLANATION}
      </p>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({
    overflowX: 'auto',
  }),
  stale: css({
    opacity: 0.6,
  }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
    'th, td': {
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      verticalAlign: 'top',
    },
    'thead th': {
      background: theme.colors.background.secondary,
      fontWeight: theme.typography.fontWeightMedium,
      color: theme.colors.text.secondary,
    },
    'tfoot th, tfoot td': {
      borderTop: `1px solid ${theme.colors.border.medium}`,
      fontWeight: theme.typography.fontWeightMedium,
    },
  }),
  caption: css({
    captionSide: 'top',
    textAlign: 'left',
    color: theme.colors.text.secondary,
    paddingBottom: theme.spacing(0.5),
  }),
  name: css({
    fontWeight: theme.typography.fontWeightRegular,
  }),
  number: css({
    // Right-aligned, tabular figures so shares line up column by column (the selector beats the table's).
    '&&': { textAlign: 'right' },
    fontVariantNumeric: 'tabular-nums',
    whiteSpace: 'nowrap',
  }),
  muted: css({
    color: theme.colors.text.secondary,
  }),
  errors: css({
    margin: theme.spacing(0.5, 0, 0),
    paddingLeft: theme.spacing(2),
    color: theme.colors.error.text,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
  }),
  note: css({
    margin: theme.spacing(0.5, 0, 0),
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
  }),
});
