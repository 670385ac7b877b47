import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { DataSourcePicker, FolderPicker, config } from '@grafana/runtime';
import { Alert, Button, Field, Modal, RadioButtonGroup, Stack, TextArea, useStyles2 } from '@grafana/ui';
import type { CompiledRules, GrafanaApiRule } from '../../../scoring/rules';
import {
  ALERT_RULES_API,
  ALERT_RULES_HEADERS,
  ALERT_TIERS,
  alertRuleBody,
  errorMessage,
  type AlertTier,
} from './compileSpec';
import { DownloadRules } from './DownloadRules';
import { UnsupportedSignals } from './UnsupportedSignals';
import { useAlertRuleServices } from './services';

const TIER_OPTIONS = ALERT_TIERS.map((t) => ({ label: t[0].toUpperCase() + t.slice(1), value: t }));

export interface CreateAlertRuleModalProps {
  compiled: CompiledRules;
  /** Default uid of the Prometheus data source that holds the recorded score. */
  defaultPrometheusUid?: string;
  idPrefix: string;
  onDismiss: () => void;
}

type Status =
  | { state: 'idle' }
  | { state: 'posting' }
  | { state: 'done'; uid: string; title: string }
  | { state: 'error'; message: string };

/** The created rule's page in Grafana's alerting UI. */
export function ruleViewUrl(uid: string): string {
  return `${config.appSubUrl ?? ''}/alerting/grafana/${encodeURIComponent(uid)}/view`;
}

/** "Create alert rule": folder, tier and Prometheus uid; previews the body and POSTs it. */
export function CreateAlertRuleModal({
  compiled,
  defaultPrometheusUid,
  idPrefix,
  onDismiss,
}: CreateAlertRuleModalProps) {
  const styles = useStyles2(getStyles);
  const { post } = useAlertRuleServices();
  const [folder, setFolder] = useState<{ uid: string; title?: string } | undefined>();
  const [tier, setTier] = useState<AlertTier>('critical');
  const [prometheusUid, setPrometheusUid] = useState(defaultPrometheusUid ?? '');
  const [status, setStatus] = useState<Status>({ state: 'idle' });

  const preview = useMemo((): { body?: GrafanaApiRule; error?: string } => {
    try {
      // Until a folder is chosen the preview shows a placeholder uid; confirming needs a folder.
      return {
        body: alertRuleBody(compiled, tier, {
          prometheusUid: prometheusUid || 'prometheus',
          folderUid: folder?.uid || 'choose-a-folder',
        }),
      };
    } catch (e) {
      return { error: errorMessage(e) };
    }
  }, [compiled, tier, prometheusUid, folder]);
  const downloadOptions = useMemo(
    () => ({
      prometheusUid,
      ...(folder ? { folderUid: folder.uid, ...(folder.title ? { folder: folder.title } : {}) } : {}),
    }),
    [prometheusUid, folder]
  );

  const missing = [!folder && 'a folder', !prometheusUid && 'the Prometheus data source'].filter(Boolean);
  const canCreate = missing.length === 0 && preview.body !== undefined && status.state !== 'posting';

  const create = async () => {
    if (!canCreate || !preview.body) {
      return;
    }
    const body = preview.body;
    setStatus({ state: 'posting' });
    try {
      const res = (await post(ALERT_RULES_API, body, {
        headers: ALERT_RULES_HEADERS,
        showErrorAlert: false,
        showSuccessAlert: false,
      })) as Partial<GrafanaApiRule> | undefined;
      setStatus({ state: 'done', uid: res?.uid || body.uid, title: res?.title || body.title });
    } catch (e) {
      setStatus({ state: 'error', message: errorMessage(e) });
    }
  };
  // Any change after a result starts over.
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      if (status.state !== 'posting') {
        setStatus({ state: 'idle' });
      }
    };

  return (
    <Modal title="Create alert rule" isOpen onDismiss={onDismiss}>
      <Stack direction="column" gap={1}>
        <UnsupportedSignals compiled={compiled} />
        <Field label="Folder" description="The Grafana folder the rule is saved in" required>
          <FolderPicker
            value={folder?.uid}
            showRootFolder={false}
            permission="edit"
            onChange={(uid, title) => changed(setFolder)(uid ? { uid, title } : undefined)}
          />
        </Field>
        <Field label="Tier" description="The rule fires while an entity's score is at or above this tier's cut">
          <RadioButtonGroup
            id={`${idPrefix}-alert-tier`}
            options={TIER_OPTIONS}
            value={tier}
            onChange={changed(setTier)}
          />
        </Field>
        <Field
          label="Prometheus data source"
          description="The Prometheus (or Mimir) data source that holds the recorded score (anomaly:score)"
          required
        >
          <DataSourcePicker
            inputId={`${idPrefix}-alert-prometheus`}
            type="prometheus"
            current={prometheusUid || null}
            noDefault
            onChange={(ds) => changed(setPrometheusUid)(ds.uid)}
          />
        </Field>
        <Alert severity="info" title="Load the recording rules first">
          <Stack direction="column" gap={1}>
            <span>
              This rule reads <code>anomaly:score</code> from the Prometheus data source. Download the compiled
              recording rules and load them into Prometheus or Mimir (rule_files, or mimirtool rules load) before the
              rule can fire.
            </span>
            <div>
              <DownloadRules compiled={compiled} grafana={downloadOptions} size="sm" />
            </div>
          </Stack>
        </Alert>
        <Field label="Rule" description={`The body of POST ${ALERT_RULES_API} (read-only)`}>
          <TextArea
            id={`${idPrefix}-alert-preview`}
            className={styles.code}
            readOnly
            rows={14}
            value={preview.body ? JSON.stringify(preview.body, null, 2) : ''}
          />
        </Field>
        {preview.error && (
          <Alert severity="error" title="Cannot build the rule">
            {preview.error}
          </Alert>
        )}
        {status.state === 'error' && (
          <Alert severity="error" title="Grafana did not create the rule">
            <span data-testid="anomalyscore-alert-error">{status.message}</span>
          </Alert>
        )}
        {status.state === 'done' && (
          <Alert severity="success" title="Alert rule created">
            <a className={styles.link} href={ruleViewUrl(status.uid)}>
              {`Open “${status.title}” in Grafana Alerting`}
            </a>
          </Alert>
        )}
      </Stack>
      <Modal.ButtonRow>
        <Button variant="secondary" fill="outline" onClick={onDismiss}>
          {status.state === 'done' ? 'Close' : 'Cancel'}
        </Button>
        <Button
          variant="primary"
          icon={status.state === 'posting' ? 'spinner' : 'bell'}
          onClick={create}
          disabled={!canCreate || status.state === 'done'}
          tooltip={missing.length > 0 ? `Choose ${missing.join(' and ')}` : undefined}
        >
          {status.state === 'error' ? 'Retry' : 'Create rule'}
        </Button>
      </Modal.ButtonRow>
    </Modal>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  code: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  link: css({
    color: theme.colors.text.link,
    textDecoration: 'underline',
    '&:hover': { textDecoration: 'none' },
  }),
});
