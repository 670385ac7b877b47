import React, { useEffect, useId, useMemo, useState } from 'react';
import { dateTime, type TimeRange } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, EmptyState, Field, Input, LoadingPlaceholder, Stack, Text, TimeRangeInput, useStyles2 } from '@grafana/ui';
import type { GroundTruth } from '../../scoring/evaluate/groundTruth';
import { fetchGroundTruth } from '../shared/groundTruth';
import { labelText } from '../shared/format';
import { useAppServices } from '../shared/services';
import { SpecEditor } from '../shared/SpecEditor';
import { parseSpecText } from '../shared/specText';
import { getSharedStyles } from '../shared/styles';
import { loadVersions } from '../shared/versionsStore';
import type { SpecVersionsFile } from '../../scoring/evaluate/calibrate';
import { IncidentItem } from './IncidentItem';

interface Props {
  defaultRange?: TimeRange;
  defaultSpecText?: string;
  defaultDatasourceUid?: string;
}

function lastDays(days: number): TimeRange {
  const to = dateTime();
  const from = dateTime(to.valueOf() - days * 86_400_000);
  return { from, to, raw: { from: `now-${days}d`, to: 'now' } };
}

/**
 * Past incidents (annotations tagged `incident`) and confirmed feedback, newest first, filtered by
 * label / text and time; each expands to the entity's score timeline and the incident-review export.
 */
export function IncidentLibraryPage({ defaultRange, defaultSpecText = '', defaultDatasourceUid }: Props) {
  const styles = useStyles2(getSharedStyles);
  const services = useAppServices();
  const ids = { ds: useId(), filter: useId(), dashboard: useId() };
  const [range, setRange] = useState<TimeRange>(defaultRange ?? lastDays(30));
  const [filter, setFilter] = useState('');
  const [dsUid, setDsUid] = useState<string | undefined>(defaultDatasourceUid);
  const [specText, setSpecText] = useState(defaultSpecText);
  const [dashboardUID, setDashboardUID] = useState('anomalyscore');
  const [stored, setStored] = useState<Record<string, SpecVersionsFile>>({});
  // Annotations of one range; `key` says which, so loading is derived rather than set in the effect.
  const [state, setState] = useState<{ key: string; error?: string; truth?: GroundTruth; truncated?: boolean }>({
    key: '',
  });
  const parsed = useMemo(() => parseSpecText(specText), [specText]);
  const from = range.from.valueOf();
  const to = range.to.valueOf();

  const rangeKey = `${from}:${to}`;
  const loading = state.key !== rangeKey;

  useEffect(() => {
    let live = true;
    fetchGroundTruth(services, from, to)
      .then((gt) => live && setState({ key: `${from}:${to}`, truth: gt.truth, truncated: gt.truncated }))
      .catch((e) => live && setState({ key: `${from}:${to}`, error: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, [services, from, to]);

  useEffect(() => {
    let live = true;
    // Stored spec versions are a convenience here: without them the spec is pasted.
    loadVersions(services)
      .then((v) => live && setStored(v.files))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [services]);

  const incidents = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const all = [...(state.truth?.incidents ?? [])].sort((a, b) => b.start - a.start);
    return needle
      ? all.filter((e) =>
          [labelText(e.entity), e.kind, e.text ?? ''].some((s) => s.toLowerCase().includes(needle))
        )
      : all;
  }, [state.truth, filter]);

  const { DataSourcePicker } = services;
  return (
    <PluginPage>
      <div className={styles.page} data-testid="anomalyscore-incidents">
        <Text element="p" color="secondary">
          Verified incidents (annotations tagged “incident”) and alerts confirmed through the panel’s feedback. Expand one
          to see the entity’s score around it and export an incident review.
        </Text>
        <section className={styles.section} aria-label="Filters">
          <Stack gap={2} wrap="wrap" alignItems="flex-start">
            <Field label="Time range">
              <TimeRangeInput value={range} onChange={setRange} hideTimeZone />
            </Field>
            <Field label="Filter by label or text" htmlFor={ids.filter}>
              <Input
                id={ids.filter}
                width={36}
                placeholder="e.g. model=fraud"
                value={filter}
                onChange={(e) => setFilter(e.currentTarget.value)}
              />
            </Field>
            <Field label="Anomaly Score data source" htmlFor={ids.ds} description="For the score timelines.">
              <DataSourcePicker current={dsUid} onChange={setDsUid} inputId={ids.ds} />
            </Field>
            <Field label="Dashboard for links" htmlFor={ids.dashboard}>
              <Input id={ids.dashboard} width={20} value={dashboardUID} onChange={(e) => setDashboardUID(e.currentTarget.value)} />
            </Field>
          </Stack>
          <SpecEditor value={specText} onChange={setSpecText} parsed={parsed} stored={stored} />
        </section>
        {loading ? (
          <LoadingPlaceholder text="Loading incidents…" />
        ) : state.error ? (
          <Alert severity="error" title="Could not load the annotations">
            {state.error}
          </Alert>
        ) : (
          <section className={styles.section} aria-label="Incidents">
            {state.truncated && (
              <Alert severity="warning" title="Annotation limit reached">
                Some incidents may be missing: narrow the time range.
              </Alert>
            )}
            {(state.truth?.errors.length ?? 0) > 0 && (
              <Alert severity="warning" title={`${state.truth!.errors.length} annotations could not be read`}>
                <ul>
                  {state.truth!.errors.map((e) => (
                    <li key={e.id}>{`${e.id}: ${e.message}`}</li>
                  ))}
                </ul>
              </Alert>
            )}
            {incidents.length === 0 ? (
              <EmptyState
                variant="not-found"
                message={
                  (state.truth?.incidents.length ?? 0) === 0
                    ? 'No incidents in this time range'
                    : 'No incident matches the filter'
                }
                hideImage
              >
                Incidents are annotations tagged “incident” with the entity as key:value tags (e.g. model:fraud), or
                feedback confirmed from the triage panel.
              </EmptyState>
            ) : (
              <>
                <Text element="h3">{`${incidents.length} incident${incidents.length === 1 ? '' : 's'}`}</Text>
                <ul aria-label="Incidents" className={styles.list}>
                  {incidents.map((incident) => (
                    <IncidentItem
                      key={`${incident.source}-${incident.id}`}
                      incident={incident}
                      feedback={state.truth?.feedback ?? []}
                      incidents={state.truth?.incidents ?? []}
                      dsUid={dsUid}
                      specInput={parsed.ok ? parsed.input : undefined}
                      dashboardUID={dashboardUID}
                    />
                  ))}
                </ul>
              </>
            )}
          </section>
        )}
      </div>
    </PluginPage>
  );
}
