/**
 * Everything the app's pages need from Grafana, in one injectable object: HTTP (annotations, the
 * app's settings), data source queries, the signed-in user, the clock, the clipboard, downloads and
 * the data source picker. Pages read it through `useAppServices()`; tests wrap them in
 * `<AppServicesProvider services={...}>` with fakes.
 */
import React, { createContext, useContext, useMemo, type ComponentType } from 'react';
import { lastValueFrom, fromEvent, takeUntil, type Observable } from 'rxjs';
import {
  dateTime,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type TimeRange,
} from '@grafana/data';
import { config, DataSourcePicker, getBackendSrv, getDataSourceSrv } from '@grafana/runtime';
import type { ScoreSpecInput } from '../../scoring/spec';
import { DATASOURCE_TYPE } from '../../constants';
import { copyText, downloadBlob } from '../../shared/browser';

/**
 * The data source's query model (src/datasource/types.ts AnomalyQuery), restated here so the app
 * pages depend on the scoring engine and the frame contract only, never on the data source code.
 */
export interface ScoreQuery {
  refId: string;
  spec: ScoreSpecInput;
  format: 'timeseries';
  /** Extra history before the range so detectors are past warm-up. */
  history?: string;
}

/** The part of a DataSourceApi the pages call. */
export interface QueryableDataSource {
  query(request: DataQueryRequest<ScoreQuery>): Observable<DataQueryResponse> | Promise<DataQueryResponse>;
}

export interface DataSourcePickerLikeProps {
  /** uid of the selected data source. */
  current?: string;
  onChange: (uid: string) => void;
  inputId?: string;
}

export interface AppServices {
  get<T = unknown>(url: string, params?: Record<string, unknown>): Promise<T>;
  post<T = unknown>(url: string, body: unknown): Promise<T>;
  getDataSource(uid: string): Promise<QueryableDataSource>;
  /** Login of the signed-in user ('unknown' when Grafana does not say). */
  user(): string;
  now(): number;
  copyText(text: string): Promise<void>;
  download(fileName: string, content: string, mime: string): void;
  DataSourcePicker: ComponentType<DataSourcePickerLikeProps>;
}

function DefaultPicker({ current, onChange, inputId }: DataSourcePickerLikeProps) {
  return (
    <DataSourcePicker
      current={current ?? null}
      type={DATASOURCE_TYPE}
      noDefault
      inputId={inputId}
      width={40}
      onChange={(ds) => onChange(ds.uid)}
    />
  );
}

export const defaultServices: AppServices = {
  get: (url, params) => getBackendSrv().get(url, params),
  post: (url, body) => getBackendSrv().post(url, body),
  // getDataSourceSrv is deprecated in 13.x in favour of @grafana/runtime/unstable, which Grafana 12.x
  // (still supported, see plugin.json grafanaDependency) does not have.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  getDataSource: async (uid) => (await getDataSourceSrv().get(uid)) as unknown as QueryableDataSource,
  user: () => config.bootData?.user?.login || 'unknown',
  now: () => Date.now(),
  copyText,
  download: (fileName, content, mime) => downloadBlob(fileName, new Blob([content], { type: mime })),
  DataSourcePicker: DefaultPicker,
};

const ServicesContext = createContext<AppServices>(defaultServices);

export function AppServicesProvider({
  services,
  children,
}: React.PropsWithChildren<{ services: Partial<AppServices> }>) {
  const value = useMemo(() => ({ ...defaultServices, ...services }), [services]);
  return <ServicesContext.Provider value={value}>{children}</ServicesContext.Provider>;
}

export function useAppServices(): AppServices {
  return useContext(ServicesContext);
}

export class QueryCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'QueryCancelled';
  }
}

let requestCounter = 0;

/**
 * Run one timeseries query of `spec` over `range` on the Anomaly Score data source `uid` and return
 * its frames. Aborting `signal` unsubscribes from the query and rejects with QueryCancelled. Errors
 * the data source reports in the response are thrown (with the message it gave).
 */
export async function queryScoreFrames(
  services: AppServices,
  uid: string,
  spec: ScoreSpecInput,
  range: TimeRange,
  signal?: AbortSignal,
  history = '6h'
): Promise<DataFrame[]> {
  const ds = await services.getDataSource(uid);
  if (signal?.aborted) {
    throw new QueryCancelled();
  }
  const request = {
    requestId: `anomalyscore-app-${++requestCounter}`,
    app: 'anomalyscore-app',
    interval: '1m',
    intervalMs: 60_000,
    range,
    rangeRaw: range.raw,
    scopedVars: {},
    targets: [{ refId: 'A', spec, format: 'timeseries', history }],
    timezone: 'utc',
    startTime: services.now(),
  } as unknown as DataQueryRequest<ScoreQuery>;
  const result = ds.query(request);
  let response: DataQueryResponse;
  if (result instanceof Promise || !('pipe' in result)) {
    response = await result;
  } else {
    const stream = signal ? result.pipe(takeUntil(fromEvent(signal, 'abort'))) : result;
    try {
      response = await lastValueFrom(stream);
    } catch (e) {
      if (signal?.aborted) {
        throw new QueryCancelled();
      }
      throw e;
    }
  }
  if (signal?.aborted) {
    throw new QueryCancelled();
  }
  const errors = response.errors ?? [];
  if (errors.length > 0 && (response.data ?? []).length === 0) {
    throw new Error(errors.map((e) => e.message ?? String(e)).join('; '));
  }
  return (response.data ?? []) as DataFrame[];
}

/** An absolute TimeRange (raw = the same instants). */
export function absoluteRange(from: number, to: number): TimeRange {
  const f = dateTime(from);
  const t = dateTime(to);
  return { from: f, to: t, raw: { from: f, to: t } };
}
