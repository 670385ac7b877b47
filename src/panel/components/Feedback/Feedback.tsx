import React, { useState } from 'react';
import type { TimeZone } from '@grafana/schema';
import { css } from '@emotion/css';
import { dateTimeFormat, GrafanaTheme2 } from '@grafana/data';
import { Button, useStyles2 } from '@grafana/ui';
import { FeedbackItem } from '../../data/annotations';
import { buildFeedbackAnnotation, writeErrorMessage } from '../../data/feedback';
import { usePanelServices } from '../../services';
import { FEEDBACK_KINDS, FeedbackKind, TierName } from '../../types';
import { FeedbackModal } from './FeedbackModal';

interface Props {
  entityKey: string;
  labels: Record<string, string>;
  tier: TierName | undefined;
  /** The selected point, or a region [time, timeEnd]. */
  time: number;
  timeEnd?: number;
  panelId?: number;
  timeZone?: TimeZone;
  /** Feedback already recorded for this entity (from data.annotations). */
  existing: FeedbackItem[];
}

interface Draft {
  kind: FeedbackKind;
  error?: string;
  saving: boolean;
}

/** Acknowledge / Escalate / Confirmed incident / False alarm, each written as an annotation, plus the trail so far. */
export function Feedback({ entityKey, labels, tier, time, timeEnd, panelId, timeZone, existing }: Props) {
  const styles = useStyles2(getStyles);
  const services = usePanelServices();
  const [draft, setDraft] = useState<Draft | undefined>();
  // Rationales per entity and kind survive closing the dialog and failed writes.
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [written, setWritten] = useState<FeedbackItem[]>([]);
  const textKey = (kind: FeedbackKind) => `${entityKey}\u0000${kind}`;
  const fmtTime = (t: number) => dateTimeFormat(t, { timeZone });
  const when = timeEnd !== undefined && timeEnd !== time ? `${fmtTime(time)} – ${fmtTime(timeEnd)}` : fmtTime(time);

  const submit = async () => {
    if (!draft) {
      return;
    }
    const kind = draft.kind;
    const rationale = texts[textKey(kind)] ?? '';
    let payload;
    try {
      payload = buildFeedbackAnnotation({
        kind,
        rationale,
        labels,
        tier,
        time,
        ...(timeEnd !== undefined ? { timeEnd } : {}),
        dashboardUID: services.dashboardUid(),
        ...(panelId !== undefined ? { panelId } : {}),
      });
    } catch (e) {
      setDraft({ kind, saving: false, error: writeErrorMessage(e) });
      return;
    }
    setDraft({ kind, saving: true });
    try {
      await services.writeAnnotation(payload);
      const label = FEEDBACK_KINDS.find((k) => k.kind === kind)?.label ?? kind;
      setWritten((w) => [
        ...w,
        {
          kind,
          label,
          time: payload.time,
          timeEnd: payload.timeEnd,
          ...(tier ? { tier } : {}),
          rationale: payload.text,
          tags: payload.tags,
        },
      ]);
      setTexts((t) => ({ ...t, [textKey(kind)]: '' }));
      setDraft(undefined);
    } catch (e) {
      setDraft({ kind, saving: false, error: writeErrorMessage(e) });
    }
  };

  const trail = [
    ...existing,
    ...written.filter(
      (w) => !existing.some((x) => x.kind === w.kind && x.time === w.time && x.rationale === w.rationale)
    ),
  ].sort((a, b) => a.time - b.time);

  return (
    <div>
      <div className={styles.buttons}>
        {FEEDBACK_KINDS.map(({ kind, label }) => (
          <Button
            key={kind}
            size="sm"
            variant={kind === 'escalated' || kind === 'confirmed' ? 'destructive' : 'secondary'}
            fill={kind === 'escalated' || kind === 'confirmed' ? 'outline' : 'solid'}
            data-testid={`anomalyscore-feedback-${kind}`}
            onClick={() => setDraft({ kind, saving: false })}
          >
            {label}
          </Button>
        ))}
      </div>
      {trail.length > 0 ? (
        <ul className={styles.trail} data-testid="anomalyscore-feedback-history" aria-label="Feedback for this entity">
          {trail.map((f, i) => (
            <li key={`${f.time}-${f.kind}-${i}`} data-testid="anomalyscore-feedback-item" data-kind={f.kind}>
              <strong>{f.label}</strong> {fmtTime(f.time)}
              {f.tier ? ` (${f.tier})` : ''}: <span>{f.rationale}</span>
            </li>
          ))}
        </ul>
      ) : (
        <div className={styles.none}>No feedback recorded for this entity in the time range.</div>
      )}
      {draft && (
        <FeedbackModal
          kind={draft.kind}
          entityKey={entityKey}
          when={when}
          rationale={texts[textKey(draft.kind)] ?? ''}
          onRationale={(text) => setTexts((t) => ({ ...t, [textKey(draft.kind)]: text }))}
          error={draft.error}
          saving={draft.saving}
          onSubmit={submit}
          onDismiss={() => setDraft(undefined)}
        />
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  buttons: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5), marginBottom: theme.spacing(0.5) }),
  trail: css({ margin: 0, paddingLeft: theme.spacing(2), fontSize: theme.typography.bodySmall.fontSize }),
  none: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
