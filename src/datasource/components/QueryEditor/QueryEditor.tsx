import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { InlineField, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import type { DataSource } from '../../datasource';
import { AnomalyDataSourceOptions, AnomalyQuery } from '../../types';

type Props = QueryEditorProps<DataSource, AnomalyQuery, AnomalyDataSourceOptions>;

const FORMATS = [
  { label: 'Time series', value: 'timeseries' as const, description: 'One frame per entity' },
  { label: 'Triage table', value: 'triage' as const, description: 'One row per entity' },
];

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  return (
    <Stack direction="row" gap={1} wrap="wrap">
      <InlineField label="Entity labels" labelWidth={16} tooltip="Labels that identify an entity, comma separated">
        <Input
          width={30}
          defaultValue={(query.entityLabels ?? []).join(', ')}
          onBlur={(e) => {
            const entityLabels = e.currentTarget.value
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
            onChange({ ...query, entityLabels });
            onRunQuery();
          }}
        />
      </InlineField>
      <InlineField label="Format" labelWidth={10}>
        <RadioButtonGroup
          options={FORMATS}
          value={query.format ?? 'timeseries'}
          onChange={(format) => {
            onChange({ ...query, format });
            onRunQuery();
          }}
        />
      </InlineField>
    </Stack>
  );
}
