import React from 'react';
import { Field, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import { parseDuration } from '../../../scoring/spec';
import type { AnomalyQuery, QueryFormat } from '../../types';
import { CommitInput } from '../shared/CommitInput';
import { fieldError } from '../shared/errors';
import { getItemStyles } from '../shared/styles';

const FORMATS: Array<{ label: string; value: QueryFormat; description: string }> = [
  { label: 'Time series', value: 'timeseries', description: 'One frame per entity' },
  { label: 'Triage table', value: 'triage', description: 'One row per entity' },
];

const ANNOTATION_TIERS: Array<{ label: string; value: NonNullable<AnomalyQuery['annotationTier']> }> = [
  { label: 'watch', value: 'watch' },
  { label: 'review', value: 'review' },
  { label: 'critical', value: 'critical' },
];

export interface QueryOptionsProps {
  query: AnomalyQuery;
  idPrefix: string;
  onChange: (query: AnomalyQuery, run: boolean) => void;
}

/** Options of the query that are not part of the spec: output format and extra history. */
export function QueryOptions({ query, idPrefix, onChange }: QueryOptionsProps) {
  const styles = useStyles2(getItemStyles);
  const history = query.history ?? '';
  const historyError =
    history && Number.isNaN(parseDuration(history)) ? `must be a duration like 6h, got "${history}"` : undefined;
  return (
    <div className={styles.grid}>
      {query.format === 'annotations' ? (
        <Field label="Annotate from tier" description="a region while an entity is at or above this tier">
          <RadioButtonGroup
            id={`${idPrefix}-annotation-tier`}
            options={ANNOTATION_TIERS}
            value={query.annotationTier ?? 'review'}
            onChange={(annotationTier) => onChange({ ...query, annotationTier }, true)}
          />
        </Field>
      ) : (
        <Field label="Format">
          <RadioButtonGroup<QueryFormat>
            id={`${idPrefix}-format`}
            options={FORMATS}
            value={query.format ?? 'timeseries'}
            onChange={(format) => onChange({ ...query, format }, true)}
          />
        </Field>
      )}
      <Field
        label="History"
        description="fetched before the time range so detectors are warmed up"
        {...fieldError(historyError)}
      >
        <CommitInput
          id={`${idPrefix}-history`}
          value={history}
          placeholder="6h"
          onCommit={(text) => onChange({ ...query, history: text.trim() || undefined }, true)}
        />
      </Field>
    </div>
  );
}
