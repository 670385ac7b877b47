import React from 'react';
import { DataSourcePicker } from '@grafana/runtime';
import { Button, Field, Stack, TextArea } from '@grafana/ui';
import type { SignalSpecInput } from '../../../scoring/spec';
import { ErrorIndex, fieldError } from '../shared/errors';
import { fieldDomId } from '../shared/values';
import { isDefaultLokiSupported, rolesOf, setDatasource, setQuery } from './specOps';

export interface SignalSourceProps {
  signal: SignalSpecInput;
  path: string;
  idPrefix: string;
  errors: ErrorIndex;
  onChange: (signal: SignalSpecInput, run: boolean) => void;
  onBlur: () => void;
}

const ROLE_HINT: Record<string, string> = {
  value: 'PromQL or LogQL returning one series per entity',
  numerator: 'event count per step, e.g. errors (not a ratio)',
  denominator: 'total count per step, e.g. requests',
  buckets: 'cumulative histogram buckets with an `le` label, e.g. increase(x_bucket[5m])',
  correct: 'the same buckets counting correct predictions only',
};

/** Which upstream data source the signal queries, and its expression per query role. */
export function SignalSource({ signal, path, idPrefix, errors, onChange, onBlur }: SignalSourceProps) {
  const ds = signal.source?.datasource;
  const dsPath = `${path}.source.datasource`;
  const isDefaultLoki = !!ds && !ds.uid && ds.type === 'loki';
  const dsInputId = fieldDomId(idPrefix, dsPath);
  const dsError = errors.under(dsPath) ?? errors.at(`${path}.source`);
  const dsLabel = !ds ? 'default (Prometheus)' : isDefaultLoki ? 'default Loki' : 'a specific data source';
  return (
    <>
      <Field
        label="Data source"
        description={`Upstream Prometheus or Loki; now ${dsLabel}`}
        htmlFor={dsInputId}
        {...fieldError(dsError)}
      >
        <>
          <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
            <DataSourcePicker
              inputId={dsInputId}
              invalid={!!dsError}
              type={['prometheus', 'loki']}
              current={ds?.uid ?? null}
              placeholder={isDefaultLoki ? 'Default Loki' : 'Default (Prometheus)'}
              noDefault
              width={32}
              onChange={(picked) => onChange(setDatasource(signal, { uid: picked.uid, type: picked.type }), true)}
            />
            {ds && (
              <Button
                variant="secondary"
                size="sm"
                fill="outline"
                aria-label={`Use the default data source for signal ${signal.id}`}
                onClick={() => onChange(setDatasource(signal, undefined), true)}
              >
                Use default
              </Button>
            )}
            {isDefaultLokiSupported() && !isDefaultLoki && (
              <Button
                variant="secondary"
                size="sm"
                fill="outline"
                aria-label={`Use the default Loki data source for signal ${signal.id}`}
                onClick={() => onChange(setDatasource(signal, { type: 'loki' }), true)}
              >
                Default Loki
              </Button>
            )}
          </Stack>
        </>
      </Field>
      {rolesOf(signal.kind).map((role) => {
        const queryPath = `${path}.source.queries.${role}`;
        return (
          <Field
            key={role}
            label={`Query: ${role}`}
            description={ROLE_HINT[role]}
            {...fieldError(errors.at(queryPath))}
          >
            <TextArea
              id={fieldDomId(idPrefix, queryPath)}
              rows={2}
              value={signal.source?.queries?.[role] ?? ''}
              placeholder={
                role === 'value' ? 'e.g. histogram_quantile(0.99, sum by (model, version, le) (rate(...)))' : ''
              }
              onChange={(e) => onChange(setQuery(signal, role, e.currentTarget.value), false)}
              onBlur={onBlur}
            />
          </Field>
        );
      })}
    </>
  );
}
