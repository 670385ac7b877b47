import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { InlineField, RadioButtonGroup, Stack } from '@grafana/ui';
import type { DataSource } from '../../datasource';
import { AnomalyDataSourceOptions, AnomalyQuery, QueryFormat } from '../../types';

type Props = QueryEditorProps<DataSource, AnomalyQuery, AnomalyDataSourceOptions>;

const FORMATS: Array<{ label: string; value: QueryFormat; description: string }> = [
  { label: 'Time series', value: 'timeseries', description: 'One frame per entity' },
  { label: 'Triage table', value: 'triage', description: 'One row per entity' },
];

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  return (
    <Stack direction="row" gap={1} wrap="wrap">
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
