import React, { useId, useMemo } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Stack } from '@grafana/ui';
import { validateSpec } from '../../../scoring/spec';
import type { ScoreSpecInput } from '../../../scoring/spec';
import type { DataSource } from '../../datasource';
import { AnomalyDataSourceOptions, AnomalyQuery, DEFAULT_QUERY } from '../../types';
import { effectiveInput } from '../../querySpec';
import { indexErrors } from '../shared/errors';
import { AlertRuleActions } from '../AlertRules';
import { DryRun } from './DryRun';
import { ErrorSummary } from './ErrorSummary';
import { QueryOptions } from './QueryOptions';
import { SignalList } from './SignalList';
import { SpecImportExport } from './SpecImportExport';
import { SpecSettings } from './SpecSettings';

type Props = QueryEditorProps<DataSource, AnomalyQuery, AnomalyDataSourceOptions>;

/** Top-level spec keys this editor has fields for (errors elsewhere show in the summary only). */
const EDITABLE = ['id', 'entity', 'step', 'composite', 'signals'];

export function QueryEditor({ query, onChange, onRunQuery, datasource, range }: Props) {
  const idPrefix = `anomalyscore-${useId().replace(/[^A-Za-z0-9_-]/g, '')}-${query.refId}`;
  const spec: ScoreSpecInput = query.spec ?? (DEFAULT_QUERY.spec as ScoreSpecInput);
  // Validate what the query itself says (its tiers and context, if any, are its own); the id may be
  // left empty (the pipeline then names the score after the query).
  const errors = useMemo(
    () => indexErrors(validateSpec({ ...spec, id: spec.id || `query-${query.refId}` }).errors),
    [spec, query.refId]
  );

  // The spec as the pipeline runs it (memoised: the rule compiler runs on it).
  const effective = useMemo(
    () => effectiveInput(spec, query.refId, datasource?.options),
    [spec, query.refId, datasource?.options]
  );

  const update = (next: AnomalyQuery, run: boolean) => {
    onChange(next);
    if (run) {
      onRunQuery();
    }
  };
  const updateSpec = (next: ScoreSpecInput, run: boolean) => update({ ...query, spec: next }, run);

  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" justifyContent="space-between" alignItems="flex-start" wrap="wrap">
        <QueryOptions query={query} idPrefix={idPrefix} onChange={update} />
        <Stack direction="row" gap={1} wrap="wrap">
          <SpecImportExport spec={effective} idPrefix={idPrefix} onImport={(imported) => updateSpec(imported, true)} />
          <AlertRuleActions spec={effective} settings={datasource?.options} idPrefix={idPrefix} />
        </Stack>
      </Stack>
      <SpecSettings spec={spec} idPrefix={idPrefix} errors={errors} onChange={updateSpec} onBlur={onRunQuery} />
      <SignalList spec={spec} idPrefix={idPrefix} errors={errors} onChange={updateSpec} onBlur={onRunQuery} />
      <ErrorSummary errors={errors.all} idPrefix={idPrefix} editable={EDITABLE} />
      <DryRun query={query} datasource={datasource} range={range} idPrefix={idPrefix} />
    </Stack>
  );
}
