import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { InlineField, Stack } from '@grafana/ui';
import type { DataSource } from '../../datasource';
import { AnomalyDataSourceOptions, AnomalyQuery } from '../../types';
import { DEFAULT_VARIABLE_LIMIT } from '../../variables';
import { QueryEditor } from '../QueryEditor/QueryEditor';
import { CommitInput } from '../shared/CommitInput';

type Props = QueryEditorProps<DataSource, AnomalyQuery, AnomalyDataSourceOptions, AnomalyQuery>;

/**
 * A variable listing the entities that most need a human (worst current score first), e.g. to
 * repeat panels for the top 10. The value is one label's value (for use in upstream queries) or
 * the whole entity key.
 */
export function VariableQueryEditor(props: Props) {
  const { query, onChange, onRunQuery } = props;
  const variable = query.variable ?? { limit: DEFAULT_VARIABLE_LIMIT };
  const set = (next: AnomalyQuery['variable']) => {
    onChange({ ...query, variable: next });
    onRunQuery();
  };
  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" gap={1} wrap="wrap">
        <InlineField label="Entities" labelWidth={14} tooltip="How many entities, worst current score first">
          <CommitInput
            id={`anomalyscore-variable-limit-${query.refId}`}
            width={10}
            value={String(variable.limit)}
            onCommit={(text) => {
              const limit = Math.floor(Number(text));
              set({ ...variable, limit: Number.isFinite(limit) && limit > 0 ? limit : DEFAULT_VARIABLE_LIMIT });
            }}
          />
        </InlineField>
        <InlineField label="Value label" labelWidth={14} tooltip="Entity label whose value becomes the variable's value; empty: the whole entity key">
          <CommitInput
            id={`anomalyscore-variable-label-${query.refId}`}
            width={20}
            value={variable.label ?? ''}
            placeholder="e.g. model"
            onCommit={(text) => set({ limit: variable.limit, ...(text.trim() ? { label: text.trim() } : {}) })}
          />
        </InlineField>
      </Stack>
      <QueryEditor {...props} query={{ ...query, format: 'triage' }} />
    </Stack>
  );
}
