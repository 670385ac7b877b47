import React, { useMemo } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { FieldSet } from '@grafana/ui';
import type { AnomalyDataSourceOptions, UpstreamRef } from '../../types';
import { indexErrors } from '../shared/errors';
import { ContextRulesEditor } from './ContextRulesEditor';
import { PlaybookEditor } from './PlaybookEditor';
import { TiersEditor } from './TiersEditor';
import { UpstreamsEditor } from './UpstreamsEditor';
import { settingsErrors } from './validation';

type Props = DataSourcePluginOptionsEditorProps<AnomalyDataSourceOptions>;

/**
 * Data source settings: default upstreams, and the default tiers, playbook and context rules of
 * every query, stored in jsonData in the ScoreSpec format (`jsonData.tiers`, `jsonData.context`).
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const jsonData = useMemo(() => options.jsonData ?? {}, [options.jsonData]);
  const errors = useMemo(() => indexErrors(settingsErrors(jsonData)), [jsonData]);
  const setJson = (patch: Partial<AnomalyDataSourceOptions>) => {
    const next: AnomalyDataSourceOptions = { ...jsonData, ...patch };
    for (const key of Object.keys(patch) as Array<keyof AnomalyDataSourceOptions>) {
      if (patch[key] === undefined) {
        delete next[key];
      }
    }
    onOptionsChange({ ...options, jsonData: next });
  };
  const tiers = jsonData.tiers;

  return (
    <>
      <FieldSet label="Upstream data sources">
        <UpstreamsEditor jsonData={jsonData} onChange={(key, ref: UpstreamRef) => setJson({ [key]: ref })} />
      </FieldSet>
      <FieldSet label="Tiers">
        <TiersEditor tiers={tiers} errors={errors} onChange={(next) => setJson({ tiers: next })} />
      </FieldSet>
      <FieldSet label="Playbook">
        <PlaybookEditor
          playbook={tiers?.playbook}
          errors={errors}
          onChange={(playbook) => {
            const next = { ...(tiers ?? {}), playbook };
            if (!playbook) {
              delete next.playbook;
            }
            setJson({ tiers: Object.keys(next).length > 0 ? next : undefined });
          }}
        />
      </FieldSet>
      <FieldSet label="Context rules">
        <ContextRulesEditor rules={jsonData.context} errors={errors} onChange={(context) => setJson({ context })} />
      </FieldSet>
    </>
  );
}
