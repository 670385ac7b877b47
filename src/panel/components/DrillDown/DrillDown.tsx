import React, { useMemo } from 'react';
import type { TimeZone } from '@grafana/schema';
import { css } from '@emotion/css';
import { dateTimeFormat, GrafanaTheme2 } from '@grafana/data';
import { TextLink, useStyles2, useTheme2 } from '@grafana/ui';
import { feedbackForEntity } from '../../data/annotations';
import { explainAt } from '../../data/explain';
import { ScoreFrameView } from '../../data/frames';
import { tierColorName } from '../../data/tiers';
import { tierSince } from '../../data/entities';
import { AnnotationItem } from '../../types';
import { ExportReport } from '../Export/ExportReport';
import { Feedback } from '../Feedback/Feedback';
import { TierBadge } from '../TriageQueue/TierBadge';
import { ContributionBars } from './ContributionBars';
import { SignalTable } from './SignalTable';

interface Props {
  view: ScoreFrameView;
  index: number;
  /** True when the user picked the point (else the latest point is shown). */
  pinned: boolean;
  annotations: AnnotationItem[];
  from: number;
  to: number;
  panelId?: number;
  timeZone?: TimeZone;
  getTimeline: () => HTMLElement | null;
}

function isHttpUrl(url: string | undefined): url is string {
  return !!url && /^https?:\/\//i.test(url);
}

/** Why this entity has this score at this point, what to do, and what would change the tier. */
export function DrillDown({ view, index, pinned, annotations, from, to, panelId, timeZone, getTimeline }: Props) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const ex = useMemo(() => explainAt(view, index), [view, index]);
  const feedback = useMemo(
    () => feedbackForEntity(annotations, view.labels).filter((f) => f.time <= to && (f.timeEnd ?? f.time) >= from),
    [annotations, view.labels, from, to]
  );
  if (!ex) {
    return <div data-testid="anomalyscore-drilldown">No points for {view.key}.</div>;
  }
  const barColor = theme.visualization.getColorByName(ex.tier ? tierColorName(ex.tier, view.tier) : 'blue');
  const w = ex.whatWouldChange;
  // Feedback time: the picked point, or the run of the current tier up to the latest point.
  const since = tierSince(view, ex.index);
  const region = !pinned && Number.isFinite(since) && since < ex.t ? { time: since, timeEnd: ex.t } : { time: ex.t };
  const runbook = ex.action?.runbook;
  return (
    <div className={styles.root} data-testid="anomalyscore-drilldown" data-entity={view.key} data-time={ex.t}>
      <div className={styles.header}>
        <TierBadge tier={ex.tier} tierField={view.tier} />
        <span className={styles.entity} title={view.key}>
          {view.key}
        </span>
        <span className={styles.score} data-testid="anomalyscore-score-value" data-score={ex.score}>
          {ex.scoreText}
        </span>
        <span className={styles.time}>
          {dateTimeFormat(ex.t, { timeZone })}
          {pinned ? '' : ' (latest)'}
        </span>
        <ExportReport view={view} from={from} to={to} annotations={annotations} getTimeline={getTimeline} />
      </div>

      <section className={styles.section} aria-label="Recommended action">
        <h6 className={styles.h}>Recommended action</h6>
        <div data-testid="anomalyscore-action">
          {ex.action?.action ?? '—'}
          {ex.action?.owner ? <span className={styles.dim}> · owner {ex.action.owner}</span> : null}
          {ex.action?.escalation ? <span className={styles.dim}> · escalation {ex.action.escalation}</span> : null}
          {isHttpUrl(runbook) ? (
            <>
              {' · '}
              <TextLink href={runbook} external data-testid="anomalyscore-runbook">
                runbook
              </TextLink>
            </>
          ) : runbook ? (
            <span className={styles.dim}> · runbook {runbook}</span>
          ) : null}
        </div>
      </section>

      <section className={styles.section} aria-label="Contributions">
        <h6 className={styles.h}>Contributions</h6>
        <ContributionBars ex={ex} color={barColor} />
      </section>

      {w && (
        <section className={styles.section} aria-label="What would change the tier">
          <h6 className={styles.h}>What would change the tier</h6>
          {w.note ? (
            <div data-testid="anomalyscore-tier-change">{w.note}</div>
          ) : (
            <>
              <div className={styles.dim}>
                {w.toTier} once the score is below {w.scoreBelow.toFixed(1)}
              </div>
              <ul className={styles.list}>
                {w.lines.map((l) => (
                  <li key={l.id} data-testid="anomalyscore-tier-change" data-achievable={l.achievable}>
                    {l.text}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}

      <section className={styles.section} aria-label="Signals">
        <h6 className={styles.h}>Observed vs expected</h6>
        <SignalTable view={view} ex={ex} />
      </section>

      <section className={styles.section} aria-label="Context">
        <h6 className={styles.h}>Context</h6>
        {ex.context.length === 0 ? (
          <div className={styles.dim}>No context rule applies at this point.</div>
        ) : (
          <ul className={styles.list} data-testid="anomalyscore-context">
            {ex.context.map((c, i) => (
              <li key={`${c.ruleId}-${c.kind}-${i}`}>
                <strong>{c.ruleId}</strong>: {c.detail}
                {c.description ? <span className={styles.dim}> ({c.description})</span> : null}
              </li>
            ))}
          </ul>
        )}
        {(view.meta.warnings ?? []).length > 0 && (
          <ul className={styles.list}>
            {view.meta.warnings!.map((wn, i) => (
              <li key={i} className={styles.warn}>
                {wn}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className={styles.section} aria-label="Feedback">
        <h6 className={styles.h}>Feedback</h6>
        <Feedback
          entityKey={view.key}
          labels={view.labels}
          tier={ex.tier}
          time={region.time}
          {...(region.timeEnd !== undefined ? { timeEnd: region.timeEnd } : {})}
          {...(panelId !== undefined ? { panelId } : {})}
          {...(timeZone !== undefined ? { timeZone } : {})}
          existing={feedback}
        />
      </section>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), padding: theme.spacing(0.5, 1) }),
  header: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), flexWrap: 'wrap' }),
  entity: css({
    fontWeight: theme.typography.fontWeightMedium,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    minWidth: 0,
    flex: '1 1 auto',
  }),
  score: css({ fontSize: theme.typography.h4.fontSize, fontVariantNumeric: 'tabular-nums' }),
  time: css({ color: theme.colors.text.secondary }),
  section: css({}),
  h: css({ margin: theme.spacing(0, 0, 0.5), color: theme.colors.text.secondary }),
  list: css({ margin: 0, paddingLeft: theme.spacing(2) }),
  dim: css({ color: theme.colors.text.secondary }),
  warn: css({ color: theme.colors.warning.text }),
});
