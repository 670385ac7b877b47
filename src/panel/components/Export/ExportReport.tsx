import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Modal, useStyles2, useTheme2 } from '@grafana/ui';
import { ScoreFrameView } from '../../data/frames';
import { reviewFileStem, reviewToJson, reviewToMarkdown } from '../../../frames/report';
import { buildReport, dashboardLink } from '../../data/report';
import { usePanelServices } from '../../services';
import { AnnotationItem } from '../../types';
import { canvasesToPng } from './png';

interface Props {
  view: ScoreFrameView;
  from: number;
  to: number;
  annotations: readonly AnnotationItem[];
  /** The element holding the timeline's canvases (for the PNG). */
  getTimeline: () => HTMLElement | null;
}

/** Incident-review export of the selected entity over the time range: Markdown, JSON and a PNG of the timeline. */
export function ExportReport({ view, from, to, annotations, getTimeline }: Props) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const services = usePanelServices();
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>();

  const report = useMemo(
    () =>
      open
        ? buildReport({
            view,
            from,
            to,
            annotations,
            dashboardUrl: dashboardLink(services.location(), from, to),
            generatedAt: services.now(),
          })
        : undefined,
    [open, view, from, to, annotations, services]
  );
  const markdown = useMemo(() => (report ? reviewToMarkdown(report) : ''), [report]);
  const stem = report ? reviewFileStem(report) : 'anomalyscore';

  const copy = async () => {
    try {
      await services.copyText(markdown);
      setStatus({ ok: true, text: 'Markdown copied to the clipboard.' });
    } catch (e) {
      setStatus({ ok: false, text: `Copy failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  const png = async () => {
    const blob = await canvasesToPng(getTimeline(), theme.colors.background.primary);
    if (blob) {
      services.download(`${stem}.png`, blob);
      setStatus({ ok: true, text: 'Timeline PNG downloaded.' });
    } else {
      setStatus({ ok: false, text: 'No timeline image to export (the chart is not drawn).' });
    }
  };

  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        icon="file-alt"
        data-testid="anomalyscore-export"
        onClick={() => {
          setStatus(undefined);
          setOpen(true);
        }}
      >
        Incident report
      </Button>
      {open && report && (
        <Modal title={`Incident report: ${view.key}`} isOpen onDismiss={() => setOpen(false)}>
          {status && (
            <Alert
              severity={status.ok ? 'success' : 'error'}
              title={status.text}
              data-testid="anomalyscore-export-status"
            />
          )}
          <pre className={styles.preview} data-testid="anomalyscore-export-markdown">
            {markdown}
          </pre>
          <Modal.ButtonRow>
            <Button variant="secondary" icon="copy" data-testid="anomalyscore-export-copy" onClick={copy}>
              Copy Markdown
            </Button>
            <Button
              variant="secondary"
              icon="download-alt"
              data-testid="anomalyscore-export-md"
              onClick={() => services.download(`${stem}.md`, new Blob([markdown], { type: 'text/markdown' }))}
            >
              Markdown
            </Button>
            <Button
              variant="secondary"
              icon="download-alt"
              data-testid="anomalyscore-export-json"
              onClick={() =>
                services.download(`${stem}.json`, new Blob([reviewToJson(report)], { type: 'application/json' }))
              }
            >
              JSON
            </Button>
            <Button
              variant="secondary"
              icon="gf-interpolation-linear"
              data-testid="anomalyscore-export-png"
              onClick={png}
            >
              Timeline PNG
            </Button>
          </Modal.ButtonRow>
        </Modal>
      )}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  preview: css({
    maxHeight: '50vh',
    overflow: 'auto',
    whiteSpace: 'pre-wrap',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
