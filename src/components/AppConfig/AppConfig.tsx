import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { AppPluginMeta, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, FieldSet, Stack, Text } from '@grafana/ui';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<{}>> {}

/** Enables or disables the app; scoring settings live on each Anomaly Score data source. */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const { enabled, pinned, id } = plugin.meta;
  const [error, setError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);

  const setEnabled = async (next: boolean) => {
    setSaving(true);
    setError(undefined);
    try {
      await updatePlugin(id, { enabled: next, pinned: next ? pinned : false, jsonData: {} });
      // Grafana caches plugin meta; a reload is the supported way to pick up the new state.
      window.location.reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setSaving(false);
    }
  };

  return (
    <FieldSet label="Anomaly Score app">
      <Stack direction="column" gap={2}>
        <Text element="p">
          {enabled
            ? 'The app is enabled. Tiers, playbooks and context rules are set on each Anomaly Score data source.'
            : 'The app is disabled. Enable it to add the Anomaly Score data source and triage panel.'}
        </Text>
        {error && (
          <Alert title="Could not update the plugin settings" severity="error">
            {error}
          </Alert>
        )}
        <div>
          <Button
            variant={enabled ? 'destructive' : 'primary'}
            disabled={saving}
            onClick={() => setEnabled(!enabled)}
            data-testid="anomalyscore-app-toggle"
          >
            {enabled ? 'Disable' : 'Enable'}
          </Button>
        </div>
      </Stack>
    </FieldSet>
  );
};

export default AppConfig;

const updatePlugin = async (pluginId: string, data: Partial<PluginMeta>) =>
  lastValueFrom(getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data }));
