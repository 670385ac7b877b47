import React, { useEffect, useId, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { FieldType, type DataFrame, type Field, type GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, LoadingPlaceholder, Sparkline, Stack, Text, useStyles2, useTheme2 } from '@grafana/ui';
import { dashboardLink } from '../../scoring/evaluate/backtest';
import type { ScoreFrameLike } from '../../scoring/evaluate/calibrate';
import { matchesEntity, type FeedbackEvent, type GroundTruthEvent } from '../../scoring/evaluate/groundTruth';
import type { ScoreSpecInput } from '../../scoring/spec';
import { iso, labelText, num } from '../shared/format';
import { reviewFileStem, reviewToJson, reviewToMarkdown } from '../../frames/report';
import { buildIncidentReport } from '../shared/incidentReport';
import { absoluteRange, QueryCancelled, queryScoreFrames, useAppServices } from '../shared/services';
import { getSharedStyles } from '../shared/styles';

interface Props {
  incident: GroundTruthEvent;
  feedback: readonly FeedbackEvent[];
  incidents: readonly GroundTruthEvent[];
  dsUid?: string;
  specInput?: ScoreSpecInput;
  dashboardUID: string;
}

const HOUR = 3_600_000;

/** The frame of the matching entity with the highest score in [from, to]. */
function pickFrame(frames: DataFrame[], incident: GroundTruthEvent): { frame?: DataFrame; matches: number } {
  let best: DataFrame | undefined;
  let bestPeak = -Infinity;
  let matches = 0;
  for (const f of frames) {
    const score = f.fields.find((x) => x.name === 'score');
    const labels = (f.meta?.custom?.entity as Record<string, string> | undefined) ?? score?.labels ?? {};
    if (!score || !f.fields.some((x) => x.name === 'Time') || !matchesEntity(incident, labels)) {
      continue;
    }
    matches++;
    const peak = Math.max(...Array.from(score.values as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : -Infinity)));
    if (!best || peak > bestPeak) {
      best = f;
      bestPeak = peak;
    }
  }
  return { frame: best, matches };
}

/** One incident: a disclosure with the score timeline (loaded on expand) and the review export. */
export function IncidentItem({ incident, feedback, incidents, dsUid, specInput, dashboardUID }: Props) {
  const styles = useStyles2(getStyles);
  const shared = useStyles2(getSharedStyles);
  const theme = useTheme2();
  const services = useAppServices();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  // The timeline of one (data source, spec): another choice above makes it stale.
  const sourceKey = dsUid && specInput ? `${dsUid}\u0000${JSON.stringify(specInput)}` : '';
  const [loaded, setLoaded] = useState<{
    key: string;
    loading: boolean;
    error?: string;
    timeline?: { frame?: DataFrame; matches: number };
  }>({ key: '', loading: false });
  const [status, setStatus] = useState<{ ok: boolean; text: string }>();
  const abort = useRef<AbortController | undefined>(undefined);

  const pad = Math.max(HOUR, incident.end - incident.start);
  const from = incident.start - pad;
  const to = incident.end + pad;
  const related = feedback.filter((f) => matchesEntity(f, incident.entity) && f.start <= to && f.end >= from);
  const current = loaded.key === sourceKey && sourceKey !== '' ? loaded : undefined;
  const loading = current?.loading ?? false;
  const error = current?.error;
  const timeline = current?.timeline;

  const load = () => {
    if (!dsUid || !specInput || current) {
      return;
    }
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    const key = sourceKey;
    setLoaded({ key, loading: true });
    queryScoreFrames(services, dsUid, specInput, absoluteRange(from, to), controller.signal)
      .then((frames) => setLoaded({ key, loading: false, timeline: pickFrame(frames, incident) }))
      .catch((e) => {
        if (!(e instanceof QueryCancelled)) {
          setLoaded({ key, loading: false, error: e instanceof Error ? e.message : String(e) });
        }
      });
  };

  // Cancel a running query when the item goes away.
  useEffect(() => () => abort.current?.abort(), []);

  const report = useMemo(
    () =>
      open
        ? buildIncidentReport({
            incident,
            frame: timeline?.frame as ScoreFrameLike | undefined,
            from,
            to,
            feedback,
            incidents,
            link: dashboardLink(
              { baseUrl: typeof window !== 'undefined' ? window.location.origin : '', dashboardUID, padMs: 0 },
              from,
              to,
              incident.entity
            ),
            generatedAt: services.now(),
          })
        : undefined,
    [open, incident, timeline, from, to, feedback, incidents, dashboardUID, services]
  );
  const markdown = useMemo(() => (report ? reviewToMarkdown(report) : ''), [report]);

  const copy = async () => {
    try {
      await services.copyText(markdown);
      setStatus({ ok: true, text: 'Markdown copied to the clipboard.' });
    } catch (e) {
      setStatus({ ok: false, text: `Copy failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  };

  const time = timeline?.frame?.fields.find((f) => f.name === 'Time');
  const score = timeline?.frame?.fields.find((f) => f.name === 'score');
  const title = `${iso(incident.start)} · ${incident.kind} · ${labelText(incident.entity)}`;

  return (
    <li className={styles.item} data-testid="incident-item">
      <button
        type="button"
        className={styles.header}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => {
          if (!open) {
            load();
          }
          setOpen(!open);
        }}
      >
        <span aria-hidden className={styles.chevron}>
          {open ? '▾' : '▸'}
        </span>
        <span className={styles.title}>{title}</span>
        <span className={shared.muted}>
          {incident.source === 'feedback' ? 'confirmed feedback' : 'incident annotation'}
          {related.length > 0 ? ` · ${related.length} feedback` : ''}
        </span>
      </button>
      {incident.text && <p className={styles.text}>{incident.text}</p>}
      {open && (
        <div id={panelId} className={styles.body}>
          <Text element="p" color="secondary">{`Window ${iso(from)} – ${iso(to)} (incident ${iso(incident.start)} – ${iso(incident.end)}).`}</Text>
          {!dsUid || !specInput ? (
            <Text element="p" color="secondary">Choose a data source and a valid spec above to load the score timeline.</Text>
          ) : !current ? (
            <div>
              <Button size="sm" variant="secondary" icon="sync" onClick={load}>
                Load the score timeline
              </Button>
            </div>
          ) : loading ? (
            <LoadingPlaceholder text="Loading the score timeline…" />
          ) : error ? (
            <Alert severity="error" title="Could not load the score timeline">
              {error}
            </Alert>
          ) : timeline && (!timeline.frame || !time || !score) ? (
            <Text element="p" color="secondary">No scored entity matches this incident in the window.</Text>
          ) : time && score && report ? (
            <Stack direction="column" gap={1}>
              <div className={styles.chart} data-testid="incident-timeline">
                <Sparkline
                  width={360}
                  height={60}
                  theme={theme}
                  sparkline={{ x: time as Field, y: { ...(score as Field), type: FieldType.number } }}
                  config={{ min: 0, max: 100 }}
                />
              </div>
              <Text element="p">
                {report.peak
                  ? `Peak ${num(report.peak.score)} (${report.peak.tier ?? 'unknown tier'}) at ${iso(report.peak.time)}${timeline && timeline.matches > 1 ? `; ${timeline.matches} entities match, the one with the highest score is shown` : ''}.`
                  : 'No score in the window.'}
              </Text>
            </Stack>
          ) : null}
          {related.length > 0 && (
            <ul className={styles.feedback} aria-label="Feedback">
              {related.map((f) => (
                <li key={`${f.id}-${f.feedback}`}>
                  {`${iso(f.start)} ${f.feedback}${f.tier ? ` at ${f.tier}` : ''}: ${f.text || 'no rationale given'}`}
                </li>
              ))}
            </ul>
          )}
          {status && (
            <Alert severity={status.ok ? 'success' : 'error'} title={status.text} onRemove={() => setStatus(undefined)} />
          )}
          {report && (
            <Stack gap={1} wrap="wrap">
              <Button size="sm" variant="secondary" icon="copy" onClick={() => void copy()}>
                Copy Markdown
              </Button>
              <Button
                size="sm"
                variant="secondary"
                icon="download-alt"
                onClick={() => services.download(`${reviewFileStem(report)}.md`, markdown, 'text/markdown')}
              >
                Download Markdown
              </Button>
              <Button
                size="sm"
                variant="secondary"
                icon="download-alt"
                onClick={() =>
                  services.download(`${reviewFileStem(report)}.json`, reviewToJson(report), 'application/json')
                }
              >
                Download JSON
              </Button>
            </Stack>
          )}
        </div>
      )}
    </li>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  item: css({
    listStyle: 'none',
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    padding: theme.spacing(1, 0),
  }),
  header: css({
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'baseline',
    flexWrap: 'wrap',
    width: '100%',
    background: 'none',
    border: 'none',
    color: theme.colors.text.primary,
    textAlign: 'left',
    cursor: 'pointer',
    padding: theme.spacing(0.5),
    borderRadius: theme.shape.radius.default,
    '&:hover': { background: theme.colors.action.hover },
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}`, outlineOffset: 2 },
  }),
  chevron: css({ width: theme.spacing(2), color: theme.colors.text.secondary }),
  title: css({ fontWeight: theme.typography.fontWeightMedium }),
  text: css({ margin: theme.spacing(0, 0, 0, 3.5), color: theme.colors.text.secondary, whiteSpace: 'pre-wrap' }),
  body: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), padding: theme.spacing(1, 0, 1, 3.5) }),
  chart: css({ maxWidth: 360 }),
  feedback: css({ margin: 0, paddingLeft: theme.spacing(2), color: theme.colors.text.secondary }),
});
