import React from 'react';
import { DataSourcePicker } from '@grafana/runtime';
import { Field } from '@grafana/ui';
import type { AnomalyDataSourceOptions, UpstreamRef } from '../../types';

export interface UpstreamsEditorProps {
  jsonData: AnomalyDataSourceOptions;
  onChange: (key: 'prometheus' | 'loki', ref: UpstreamRef) => void;
}

/** Default upstream Prometheus (metric signals) and Loki (log signals). */
export function UpstreamsEditor({ jsonData, onChange }: UpstreamsEditorProps) {
  return (
    <>
      <Field label="Prometheus" description="Default data source for metric signals">
        <DataSourcePicker
          inputId="anomalyscore-prometheus"
          pluginId="prometheus"
          current={jsonData.prometheus?.uid ?? null}
          onChange={(ds) => onChange('prometheus', { uid: ds.uid, type: ds.type })}
          noDefault
          width={40}
        />
      </Field>
      <Field label="Loki" description="Default data source for log signals (optional)">
        <DataSourcePicker
          inputId="anomalyscore-loki"
          pluginId="loki"
          current={jsonData.loki?.uid ?? null}
          onChange={(ds) => onChange('loki', { uid: ds.uid, type: ds.type })}
          noDefault
          width={40}
        />
      </Field>
    </>
  );
}
