import React from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';
import { Field, FieldSet } from '@grafana/ui';
import { AnomalyDataSourceOptions } from '../../types';

type Props = DataSourcePluginOptionsEditorProps<AnomalyDataSourceOptions>;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData } = options;
  const setUpstream = (key: 'prometheus' | 'loki', uid: string, type: string) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: { uid, type } } });

  return (
    <FieldSet label="Upstream data sources">
      <Field label="Prometheus" description="Default data source for metric signals">
        <DataSourcePicker
          inputId="anomalyscore-prometheus"
          pluginId="prometheus"
          current={jsonData.prometheus?.uid ?? null}
          onChange={(ds) => setUpstream('prometheus', ds.uid, ds.type)}
          width={40}
        />
      </Field>
      <Field label="Loki" description="Default data source for log signals (optional)">
        <DataSourcePicker
          inputId="anomalyscore-loki"
          pluginId="loki"
          current={jsonData.loki?.uid ?? null}
          onChange={(ds) => setUpstream('loki', ds.uid, ds.type)}
          width={40}
        />
      </Field>
    </FieldSet>
  );
}
