/**
 * The @grafana/runtime services the panel and data source may call, set up the way Grafana would,
 * with a fake backend that keeps annotations in memory: every `POST /api/annotations` is captured
 * into `window.__annotations` (tests read what feedback wrote) and returned by `GET /api/annotations`.
 */
import { Observable, throwError } from 'rxjs';
import {
  DataSourceApi,
  DataSourceInstanceSettings,
  EventBusSrv,
  GrafanaTheme2,
  ScopedVars,
  standardEditorsRegistry,
  TypedVariableModel,
} from '@grafana/data';
import {
  BackendSrv,
  BackendSrvRequest,
  config,
  DataSourceSrv,
  FakeEchoSrv,
  FetchResponse,
  setAppEvents,
  setBackendSrv,
  setDataSourceSrv,
  setEchoSrv,
  setTemplateSrv,
  TemplateSrv,
} from '@grafana/runtime';

export interface StoredAnnotation {
  id: number;
  dashboardUID?: string;
  panelId?: number;
  time?: number;
  timeEnd?: number;
  tags?: string[];
  text?: string;
  [key: string]: unknown;
}

export interface CapturedRequest {
  method: string;
  url: string;
  params?: unknown;
  data?: unknown;
}

export interface PreviewWindow {
  __annotations: StoredAnnotation[];
  __backendRequests: CapturedRequest[];
  __appEvents: Array<{ type: string; payload: unknown }>;
  __clipboard: string[];
}

declare global {
  interface Window extends PreviewWindow {}
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

/** Routes of the fake Grafana API. */
function handle(method: string, url: string, params: Record<string, unknown>, data: unknown): unknown {
  const path = url
    .replace(/^https?:\/\/[^/]+/, '')
    .split('?')[0]
    .replace(/\/+$/, '');
  const store = window.__annotations;
  if (path === '/api/annotations' && method === 'POST') {
    const body = (data ?? {}) as Record<string, unknown>;
    const id = store.length + 1;
    const now = Date.now();
    store.push({ ...body, id, created: now, updated: now, login: 'preview', email: 'preview@localhost' });
    return { id, message: 'Annotation added' };
  }
  if (path === '/api/annotations' && method === 'GET') {
    const tags = ([] as unknown[]).concat(params.tags ?? []).map(String);
    const from = Number(params.from ?? -Infinity);
    const to = Number(params.to ?? Infinity);
    const limit = Number(params.limit ?? 100);
    return store
      .filter((a) => (params.dashboardUID ? a.dashboardUID === params.dashboardUID : true))
      .filter((a) => (params.panelId !== undefined ? a.panelId === Number(params.panelId) : true))
      .filter((a) =>
        tags.length === 0
          ? true
          : params.matchAny
            ? tags.some((t) => a.tags?.includes(t))
            : tags.every((t) => a.tags?.includes(t))
      )
      .filter((a) => (a.time ?? 0) <= to && (a.timeEnd ?? a.time ?? 0) >= from)
      .slice(-limit)
      .reverse();
  }
  const one = /^\/api\/annotations\/(\d+)$/.exec(path);
  if (one) {
    const i = store.findIndex((a) => a.id === Number(one[1]));
    if (i < 0) {
      throw new HttpError(404, 'Annotation not found');
    }
    if (method === 'DELETE') {
      store.splice(i, 1);
      return { message: 'Annotation deleted' };
    }
    if (method === 'PUT' || method === 'PATCH') {
      store[i] = { ...(method === 'PUT' ? {} : store[i]), ...(data as object), id: store[i].id, updated: Date.now() };
      return { message: 'Annotation updated' };
    }
    return store[i];
  }
  if (path === '/api/user') {
    return { id: 1, login: 'preview', name: 'Preview', email: 'preview@localhost', orgId: 1 };
  }
  if (method === 'GET') {
    return {};
  }
  throw new HttpError(404, `preview backend: no route for ${method} ${path}`);
}

function queryParams(url: string, params: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const q = url.split('?')[1];
  if (q) {
    new URLSearchParams(q).forEach((v, k) => {
      out[k] = k in out ? ([] as unknown[]).concat(out[k], v) : v;
    });
  }
  return { ...out, ...((params as Record<string, unknown>) ?? {}) };
}

class PreviewBackendSrv implements BackendSrv {
  private run<T>(method: string, url: string, params?: unknown, data?: unknown): Promise<T> {
    const m = method.toUpperCase();
    window.__backendRequests.push({ method: m, url, params, data });
    try {
      return Promise.resolve(handle(m, url, queryParams(url, params), data) as T);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      return Promise.reject({
        status,
        statusText: String((e as Error).message),
        data: { message: (e as Error).message },
        config: { url },
      });
    }
  }
  get<T>(url: string, params?: unknown): Promise<T> {
    return this.run('GET', url, params);
  }
  delete<T>(url: string, data?: unknown): Promise<T> {
    return this.run('DELETE', url, undefined, data);
  }
  post<T>(url: string, data?: unknown): Promise<T> {
    return this.run('POST', url, undefined, data);
  }
  patch<T>(url: string, data?: unknown): Promise<T> {
    return this.run('PATCH', url, undefined, data);
  }
  put<T>(url: string, data?: unknown): Promise<T> {
    return this.run('PUT', url, undefined, data);
  }
  private runRequest<T>(options: BackendSrvRequest): Promise<T> {
    return this.run(options.method ?? 'GET', options.url, options.params, options.data);
  }
  request<T>(options: BackendSrvRequest): Promise<T> {
    return this.runRequest(options);
  }
  async datasourceRequest<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    return response(options, await this.runRequest<T>(options));
  }
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((sub) => {
      this.runRequest<T>(options).then(
        (data) => {
          sub.next(response(options, data));
          sub.complete();
        },
        (err) => sub.error(err)
      );
    });
  }
  chunked(): Observable<FetchResponse<Uint8Array | undefined>> {
    return throwError(() => new Error('preview backend: chunked requests are not supported'));
  }
}

function response<T>(config: BackendSrvRequest, data: T): FetchResponse<T> {
  return {
    data,
    status: 200,
    statusText: 'OK',
    ok: true,
    headers: new Headers(),
    redirected: false,
    type: 'basic',
    url: config.url,
    config,
  };
}

/** `$var`, `${var}` and `[[var]]` from scoped variables; unknown variables stay as written. */
class PreviewTemplateSrv implements TemplateSrv {
  getVariables(): TypedVariableModel[] {
    return [];
  }
  replace(target?: string, scopedVars?: ScopedVars): string {
    if (!target) {
      return target ?? '';
    }
    return target.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (whole, a, b, c) => {
      const v = scopedVars?.[a ?? b ?? c];
      return v ? String(v.value) : whole;
    });
  }
  containsTemplate(target?: string): boolean {
    return !!target && /\$\{?\w+|\[\[\w+\]\]/.test(target);
  }
  updateTimeRange(): void {}
}

class PreviewDataSourceSrv implements DataSourceSrv {
  constructor(private readonly sources: DataSourceApi[]) {}
  private find(ref?: string | { uid?: string; type?: string } | null): DataSourceApi | undefined {
    const uid = typeof ref === 'string' ? ref : ref?.uid;
    const type = typeof ref === 'string' ? undefined : ref?.type;
    return (
      this.sources.find((d) => (uid ? d.uid === uid || d.name === uid : d.type === type)) ??
      (ref ? undefined : this.sources[0])
    );
  }
  async get(ref?: string | { uid?: string; type?: string } | null): Promise<DataSourceApi> {
    const ds = this.find(ref);
    if (!ds) {
      throw new Error(`Data source ${JSON.stringify(ref)} was not found`);
    }
    return ds;
  }
  getList(): DataSourceInstanceSettings[] {
    return this.sources.map((d) => this.settingsOf(d)!);
  }
  getInstanceSettings(ref?: string | { uid?: string; type?: string } | null): DataSourceInstanceSettings | undefined {
    return this.settingsOf(this.find(ref));
  }
  private settingsOf(ds: DataSourceApi | undefined): DataSourceInstanceSettings | undefined {
    return ds
      ? ({
          uid: ds.uid,
          name: ds.name,
          type: ds.type,
          meta: ds.meta,
          jsonData: {},
          access: 'proxy',
          readOnly: true,
        } as DataSourceInstanceSettings)
      : undefined;
  }
  reload(): Promise<void> {
    return Promise.resolve();
  }
  registerRuntimeDataSource(): void {}
}

/**
 * Grafana core registers the standard option editors; the options builders look them up even when
 * no editor is shown (getPanelOptionsWithDefaults). The preview shows no options pane: stubs do.
 */
const STANDARD_EDITORS = [
  'boolean',
  'color',
  'dashboard-uid',
  'field-name',
  'multi-select',
  'number',
  'radio',
  'select',
  'slider',
  'strings',
  'text',
  'timezone',
  'unit',
  'mappings',
  'thresholds',
  'links',
  'stats-picker',
  'fieldColor',
  'interval',
  'data-links',
  'actions',
];

function registerStandardEditors(): void {
  for (const id of STANDARD_EDITORS) {
    if (!standardEditorsRegistry.getIfExists(id)) {
      standardEditorsRegistry.register({ id, name: id, editor: () => null });
    }
  }
}

export function setupRuntime(theme: GrafanaTheme2, dataSources: DataSourceApi[]): void {
  registerStandardEditors();
  window.__annotations = [];
  window.__backendRequests = [];
  window.__appEvents = [];
  window.__clipboard = [];

  // Theme as Grafana's boot data sets it.
  config.theme2 = theme;
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  config.theme = theme.v1;
  config.bootData.user.theme = theme.colors.mode;
  config.appSubUrl = '';
  config.appUrl = `${window.location.origin}/`;

  setBackendSrv(new PreviewBackendSrv());
  setTemplateSrv(new PreviewTemplateSrv());
  setDataSourceSrv(new PreviewDataSourceSrv(dataSources));
  setEchoSrv(new FakeEchoSrv());

  const appEvents = new EventBusSrv();
  const publish = appEvents.publish.bind(appEvents);
  appEvents.publish = (event) => {
    window.__appEvents.push({ type: event.type, payload: event.payload });
    publish(event);
  };
  // Legacy `appEvents.emit(AppEvents.alertSuccess, [...])` is how plugins show toasts.
  (appEvents as unknown as { emit: (e: { name: string }, payload: unknown) => void }).emit = (e, payload) =>
    window.__appEvents.push({ type: e.name, payload });
  setAppEvents(appEvents);

  // Clipboard writes are captured (headless Chromium may refuse them) so tests can read exports.
  const clipboard = {
    writeText: async (text: string) => {
      window.__clipboard.push(text);
    },
    write: async (items: ClipboardItem[]) => {
      for (const item of items) {
        for (const type of item.types) {
          if (type.startsWith('text/')) {
            window.__clipboard.push(await (await item.getType(type)).text());
          }
        }
      }
    },
    readText: async () => window.__clipboard[window.__clipboard.length - 1] ?? '',
  };
  Object.defineProperty(navigator, 'clipboard', { value: clipboard, configurable: true });
  // Grafana's public path: @grafana/ui loads its icons from `${path}build/img/icons/`.
  (window as unknown as { __grafana_public_path__: string }).__grafana_public_path__ = '/public/';
}
