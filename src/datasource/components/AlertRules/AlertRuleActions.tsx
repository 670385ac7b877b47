import React, { useMemo, useState } from 'react';
import { Button, Stack } from '@grafana/ui';
import type { ScoreSpecInput } from '../../../scoring/spec';
import type { AnomalyDataSourceOptions } from '../../types';
import { compileSpec } from './compileSpec';
import { CreateAlertRuleModal } from './CreateAlertRule';
import { DownloadRules } from './DownloadRules';

export interface AlertRuleActionsProps {
  /** The spec as the pipeline runs it (`effectiveInput(spec, refId, settings)`). */
  spec: ScoreSpecInput;
  settings?: AnomalyDataSourceOptions;
  idPrefix: string;
}

/** "Create alert rule" and "Download rules" for the query's spec (compiled by src/scoring/rules). */
export function AlertRuleActions({ spec, settings, idPrefix }: AlertRuleActionsProps) {
  const [open, setOpen] = useState(false);
  const result = useMemo(() => compileSpec(spec), [spec]);
  const compiled = result.ok ? result.rules : undefined;
  const disabledReason = compiled ? undefined : `The spec does not compile: ${result.errors.slice(0, 3).join('; ')}`;
  const prometheusUid = settings?.prometheus?.uid;
  const grafana = useMemo(() => ({ prometheusUid }), [prometheusUid]);

  return (
    <Stack direction="row" gap={1}>
      <Button
        variant="secondary"
        icon="bell"
        onClick={() => setOpen(compiled !== undefined)}
        disabled={!compiled}
        tooltip={disabledReason}
      >
        Create alert rule
      </Button>
      <DownloadRules compiled={compiled} grafana={grafana} disabledReason={disabledReason} />
      {open && compiled && (
        <CreateAlertRuleModal
          compiled={compiled}
          defaultPrometheusUid={prometheusUid}
          idPrefix={idPrefix}
          onDismiss={() => setOpen(false)}
        />
      )}
    </Stack>
  );
}
