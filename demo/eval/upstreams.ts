/**
 * Upstream data sources for running the REAL Anomaly Score data source outside Grafana: one that
 * queries a real Prometheus over its HTTP API and returns frames shaped exactly like Grafana's
 * Prometheus data source, and one that answers simple LogQL metric queries from the generator's
 * Loki push payload with frames shaped like Grafana's Loki data source (several emissions plus the
 * query-splitting progress frame), since no Loki server runs on our build machines.
 */
import { Observable, from } from 'rxjs';
import {
  DataFrame,
  DataFrameJSON,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  dataFrameFromJSON,
  LoadingState,
} from '@grafana/data';
import { queryRange } from '../../tests/integration/prometheus';
import { lokiFrames, lokiProgressFrame, SeriesSpec } from '../../src/datasource/testing/upstreamFrames';

type Target = { refId: string; expr?: string };

function settings(name: string, type: string): DataSourceInstanceSettings {
  return { id: 0, uid: name, name, type, meta: {}, jsonData: {}, readOnly: true, access: 'proxy' } as unknown as DataSourceInstanceSettings;
}

export class PrometheusHttpDataSource extends DataSourceApi {
  constructor(
    private readonly url: string,
    name = 'prometheus'
  ) {
    super(settings(name, 'prometheus'));
  }

  query(request: DataQueryRequest): Observable<DataQueryResponse> {
    const run = async (): Promise<DataQueryResponse> => {
      const stepMs = request.intervalMs;
      const data: DataFrame[] = [];
      for (const target of request.targets as unknown as Target[]) {
        const frames = await queryRange(this.url, target.expr ?? '', request.range.from.valueOf(), request.range.to.valueOf(), stepMs, {
          refId: target.refId,
        });
        data.push(...frames.map((f) => dataFrameFromJSON(f as unknown as DataFrameJSON)));
      }
      return { data, state: LoadingState.Done };
    };
    return from(run());
  }

  async testDatasource() {
    return { status: 'success', message: 'ok' };
  }
}

export interface PushBody {
  streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }>;
}

/** `sum by (a, b) (count_over_time({k="v", ...} [|= "text"] [5m]))`: all the demo spec needs. */
const LOGQL = /^\s*sum\s+by\s*\(([^)]*)\)\s*\(\s*count_over_time\s*\(\s*\{([^}]*)\}\s*(?:\|=\s*"([^"]*)"\s*)?\[(\d+)([smh])\]\s*\)\s*\)\s*$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

export function parseLogQL(expr: string): { by: string[]; matchers: Array<[string, string]>; contains?: string; rangeMs: number } {
  const m = LOGQL.exec(expr);
  if (!m) {
    throw new Error(`unsupported LogQL for the demo Loki: ${expr}`);
  }
  const matchers = m[2]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const mm = /^(\w+)\s*=\s*"([^"]*)"$/.exec(s);
      if (!mm) {
        throw new Error(`unsupported matcher ${s} in ${expr}`);
      }
      return [mm[1], mm[2]] as [string, string];
    });
  return {
    by: m[1].split(',').map((s) => s.trim()).filter(Boolean),
    matchers,
    ...(m[3] !== undefined ? { contains: m[3] } : {}),
    rangeMs: Number(m[4]) * UNIT_MS[m[5]],
  };
}

export class LokiPayloadDataSource extends DataSourceApi {
  constructor(
    private readonly body: PushBody,
    name = 'loki'
  ) {
    super(settings(name, 'loki'));
  }

  /** count_over_time at each step t: lines with timestamp in (t - range, t], summed by labels. */
  evaluate(expr: string, fromMs: number, toMs: number, stepMs: number): SeriesSpec[] {
    const q = parseLogQL(expr);
    const first = Math.ceil(fromMs / stepMs) * stepMs;
    const n = Math.max(0, Math.floor((toMs - first) / stepMs) + 1);
    const groups = new Map<string, { labels: Record<string, string>; counts: Float64Array }>();
    for (const s of this.body.streams) {
      if (!q.matchers.every(([k, v]) => s.stream[k] === v)) {
        continue;
      }
      const labels = Object.fromEntries(q.by.map((k) => [k, s.stream[k] ?? '']));
      const key = JSON.stringify(labels);
      let g = groups.get(key);
      if (!g) {
        g = { labels, counts: new Float64Array(n) };
        groups.set(key, g);
      }
      for (const [ns, line] of s.values) {
        if (q.contains !== undefined && !line.includes(q.contains)) {
          continue;
        }
        const ts = Number(BigInt(ns) / BigInt(1_000_000));
        // Points t with ts in (t - range, t]: t from ceil(ts) to ts + range (exclusive).
        const k0 = Math.max(0, Math.ceil((ts - first) / stepMs));
        for (let k = k0; k < n && first + k * stepMs < ts + q.rangeMs; k++) {
          g.counts[k]++;
        }
      }
    }
    const t = Array.from({ length: n }, (_, k) => first + k * stepMs);
    // Loki returns no sample where a count is 0 (no lines in the window): keep that sparsity.
    return [...groups.values()].map((g) => {
      const keep = t.map((_, k) => g.counts[k] > 0);
      return { labels: g.labels, t: t.filter((_, k) => keep[k]), v: Array.from(g.counts).filter((_, k) => keep[k]) };
    });
  }

  /** Like Grafana's Loki query splitting: a partial emission with a progress frame, then all. */
  query(request: DataQueryRequest): Observable<DataQueryResponse> {
    const stepMs = request.intervalMs;
    const fromMs = request.range.from.valueOf();
    const toMs = request.range.to.valueOf();
    const mid = fromMs + Math.floor((toMs - fromMs) / 2 / stepMs) * stepMs;
    const frames = (to: number) =>
      (request.targets as unknown as Target[]).flatMap((target) =>
        lokiFrames(target.refId, target.expr ?? '', stepMs, this.evaluate(target.expr ?? '', fromMs, to, stepMs))
      );
    return new Observable<DataQueryResponse>((sub) => {
      try {
        sub.next({ data: [...frames(mid), lokiProgressFrame(request.targets[0]?.refId ?? 'A')], state: LoadingState.Streaming });
        sub.next({ data: frames(toMs), state: LoadingState.Done });
        sub.complete();
      } catch (e) {
        sub.error(e);
      }
    });
  }

  async testDatasource() {
    return { status: 'success', message: 'ok' };
  }
}
