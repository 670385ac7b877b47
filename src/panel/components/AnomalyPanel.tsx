import React, { useMemo } from 'react';
import { PanelProps } from '@grafana/data';
import { PanelDataErrorView } from '@grafana/runtime';
import { entitiesFromFrames, sortEntities } from '../data/entities';
import { PanelOptions } from '../types';
import { TriageList } from './TriageList/TriageList';

type Props = PanelProps<PanelOptions>;

export function AnomalyPanel({ data, options, fieldConfig, id }: Props) {
  const rows = useMemo(
    () => sortEntities(entitiesFromFrames(data.series), options.sortBy).slice(0, options.maxEntities),
    [data.series, options.sortBy, options.maxEntities]
  );
  if (rows.length === 0) {
    return (
      <PanelDataErrorView
        panelId={id}
        fieldConfig={fieldConfig}
        data={data}
        message="No anomaly scores in this panel's data: query the Anomaly Score data source."
      />
    );
  }
  return <TriageList rows={rows} />;
}
