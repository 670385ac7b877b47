/**
 * A small Prometheus data source for the preview page: runs each target as a `/api/v1/query_range`
 * against a real Prometheus (through the preview server's same-origin `/prom` proxy, or any URL
 * that allows CORS) and returns the frames Grafana's Prometheus data source makes of the answer
 * (tests/integration/promFrames.ts, turned into DataFrames with dataFrameFromJSON).
 */
import { Observable, from, map } from 'rxjs';
import {
  DataFrameJSON,
  DataQueryError,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  dataFrameFromJSON,
  LoadingState,
  TestDataSourceResponse,
} from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

import { matrixToFrames, type PromMatrixResult } from '../tests/integration/promFrames';

/** Prometheus refuses range queries over 11,000 points per series. */
const MAX_POINTS = 11_000;

interface PromResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: PromMatrixResult[] };
}

export class PrometheusUpstream extends DataSourceApi {
  constructor(private readonly baseUrl: string) {
    super({
      id: 3,
      uid: 'prometheus',
      name: 'Prometheus',
      type: 'prometheus',
      meta: { id: 'prometheus', name: 'Prometheus' },
      jsonData: {},
      readOnly: true,
      access: 'proxy',
      url: baseUrl,
    } as unknown as DataSourceInstanceSettings);
  }

  private async rangeQuery(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number
  ): Promise<{ result: PromMatrixResult[]; step: number }> {
    // Coarser step when the range would exceed Prometheus' limit (as Grafana's safe interval does).
    const step = Math.max(stepMs, Math.ceil((endMs - startMs) / (MAX_POINTS - 1) / 1000) * 1000);
    const body = new URLSearchParams({
      query: expr,
      start: String(Math.floor(startMs / step) * (step / 1000)),
      end: String(Math.floor(endMs / step) * (step / 1000)),
      step: String(step / 1000),
    });
    const res = await fetch(`${this.baseUrl}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    let json: PromResponse;
    try {
      json = (await res.json()) as PromResponse;
    } catch {
      throw new Error(`Prometheus at ${this.baseUrl}: HTTP ${res.status} ${res.statusText}`);
    }
    if (json.status !== 'success' || !json.data) {
      throw new Error(json.error ?? `Prometheus at ${this.baseUrl}: HTTP ${res.status}`);
    }
    return { result: json.data.result, step };
  }

  query(request: DataQueryRequest<DataQuery>): Observable<DataQueryResponse> {
    const startMs = request.range.from.valueOf();
    const endMs = request.range.to.valueOf();
    const stepMs = request.intervalMs > 0 ? request.intervalMs : 60_000;
    const targets = request.targets.filter((t) => !t.hide);
    const runs = targets.map(async (target) => {
      const expr = (target as DataQuery & { expr?: string }).expr ?? '';
      try {
        const { result, step } = await this.rangeQuery(expr, startMs, endMs, stepMs);
        const frames = matrixToFrames(result, { expr, stepMs: step, refId: target.refId });
        return { frames: frames.map((f) => dataFrameFromJSON(f as unknown as DataFrameJSON)) };
      } catch (e) {
        return { frames: [], error: { refId: target.refId, message: (e as Error).message } as DataQueryError };
      }
    });
    return from(Promise.all(runs)).pipe(
      map((parts) => {
        const errors = parts.flatMap((p) => (p.error ? [p.error] : []));
        return {
          key: request.requestId,
          state: errors.length > 0 ? LoadingState.Error : LoadingState.Done,
          data: parts.flatMap((p) => p.frames),
          ...(errors.length > 0 ? { errors } : {}),
        };
      })
    );
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    const res = await fetch(`${this.baseUrl}/api/v1/status/buildinfo`);
    return res.ok
      ? { status: 'success', message: 'Prometheus is reachable' }
      : { status: 'error', message: `HTTP ${res.status}` };
  }
}
