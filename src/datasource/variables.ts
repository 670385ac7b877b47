import { Observable, map } from 'rxjs';
import {
  CustomVariableSupport,
  DataFrame,
  DataQueryRequest,
  DataQueryResponse,
  FieldType,
  QueryEditorProps,
} from '@grafana/data';
import type { ComponentType } from 'react';
import type { DataSource } from './datasource';
import type { AnomalyDataSourceOptions, AnomalyQuery } from './types';

export const DEFAULT_VARIABLE_LIMIT = 10;

/**
 * Turns the triage table (most urgent first) into variable options: the top `limit` entities, each
 * option's value being the chosen label's value (so `$model` can go into upstream queries and
 * repeated panels) or the whole entity key.
 */
export function variableFrame(triage: DataFrame | undefined, variable: AnomalyQuery['variable']): DataFrame {
  const limit = Math.max(1, variable?.limit ?? DEFAULT_VARIABLE_LIMIT);
  const keys = (triage?.fields.find((f) => f.name === 'entity')?.values ?? []) as string[];
  const labelValues = variable?.label
    ? ((triage?.fields.find((f) => f.name === variable.label)?.values ?? []) as string[])
    : undefined;
  const text: string[] = [];
  const value: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < keys.length && value.length < limit; i++) {
    const v = labelValues ? labelValues[i] ?? '' : keys[i];
    if (seen.has(v)) {
      // Several entities share this label value (e.g. two versions of one model): list it once.
      continue;
    }
    seen.add(v);
    value.push(v);
    text.push(labelValues ? v : keys[i]);
  }
  return {
    name: 'entities',
    length: value.length,
    fields: [
      { name: 'text', type: FieldType.string, values: text, config: {} },
      { name: 'value', type: FieldType.string, values: value, config: {} },
    ],
  };
}

export class EntityVariableSupport extends CustomVariableSupport<DataSource, AnomalyQuery> {
  constructor(
    private readonly ds: DataSource,
    readonly editor: ComponentType<QueryEditorProps<DataSource, AnomalyQuery, AnomalyDataSourceOptions, AnomalyQuery>>
  ) {
    super();
  }

  query(request: DataQueryRequest<AnomalyQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.map((q) => ({ ...q, format: 'triage' as const }));
    return this.ds.query({ ...request, targets }).pipe(
      map((res) => ({
        ...res,
        data: targets.map((q) =>
          variableFrame((res.data as DataFrame[]).find((f) => f.refId === q.refId && f.name === 'triage'), q.variable)
        ),
      }))
    );
  }
}
