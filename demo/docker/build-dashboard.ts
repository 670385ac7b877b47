/**
 * Generates the provisioned dashboard "Model health triage"
 * (provisioning/dashboards/model-health-triage.json) from the demo spec (demo/spec.yaml), so the
 * spec every query embeds cannot drift from the file (tests/dist/demoStack.dist.test.ts checks both).
 *
 *   npx tsx demo/docker/build-dashboard.ts            writes the JSON
 *   npx tsx demo/docker/build-dashboard.ts --check    exits 1 when the committed JSON is stale
 *
 * Every panel queries the Anomaly Score data source (uid `anomalyscore`, provisioned in
 * provisioning/datasources/datasources.yaml, which points it at the Prometheus and Loki data
 * sources) with the demo spec; Grafana's own panels read the frames of DESIGN §4.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SPEC_FILE = path.join(ROOT, 'demo', 'spec.yaml');
export const DASHBOARD_FILE = path.join(ROOT, 'provisioning', 'dashboards', 'model-health-triage.json');
export const DASHBOARD_UID = 'anomalyscore-model-health';
export const DATASOURCE = { type: 'opsml-anomalyscore-datasource', uid: 'anomalyscore' } as const;
export const PANEL_TYPE = 'opsml-anomalyscore-panel';

/** The parts of the spec the dashboard reads (it embeds the whole parsed spec unchanged). */
export interface DemoSpec {
  id: string;
  title?: string;
  entity?: string[];
  signals: Array<{ id: string; name?: string; kind: string; params?: Record<string, unknown> }>;
  tiers?: { cuts?: { watch?: number; review?: number; critical?: number } };
  [key: string]: unknown;
}

export function readSpec(file = SPEC_FILE): DemoSpec {
  return parse(fs.readFileSync(file, 'utf8')) as DemoSpec;
}

type Json = Record<string, unknown>;

/** Detector history fetched before the visible range: the drift and calibration references and the
 * level-shift window are one day (the seasonal signal uses the seasons that fit). */
const HISTORY = '1d';
const TIER_COLORS = { ok: 'green', watch: 'yellow', review: 'orange', critical: 'red' } as const;

export function buildDashboard(spec: DemoSpec): Json {
  const cuts = { watch: 25, review: 50, critical: 75, ...(spec.tiers?.cuts ?? {}) };
  const entity = spec.entity ?? [];
  // "fraud/v2/eu": the score and tier fields carry the entity labels (DESIGN §4).
  const entityName = entity.map((l) => `\${__field.labels.${l}}`).join('/') || '${__series.name}';
  const thresholds = {
    mode: 'absolute',
    steps: [
      { color: TIER_COLORS.ok, value: null },
      { color: TIER_COLORS.watch, value: cuts.watch },
      { color: TIER_COLORS.review, value: cuts.review },
      { color: TIER_COLORS.critical, value: cuts.critical },
    ],
  };
  let refSeq = 0;
  const target = (format: 'timeseries' | 'triage' | 'annotations', extra: Json = {}): Json => ({
    refId: String.fromCharCode(65 + (refSeq++ % 26)),
    datasource: DATASOURCE,
    spec,
    format,
    history: HISTORY,
    ...extra,
  });
  let id = 0;
  const panel = (p: Json): Json => {
    refSeq = 0;
    return { id: ++id, datasource: DATASOURCE, ...p };
  };
  const keepFields = (...names: string[]) => ({
    id: 'filterFieldsByName',
    options: { include: { names: ['Time', ...names] } },
  });
  const byName = (name: string, properties: Json[]) => ({ matcher: { id: 'byName', options: name }, properties });

  const panels: Json[] = [];
  panels.push(
    panel({
      type: 'stat',
      title: 'Worst current score',
      description:
        "The highest score of any entity at the latest point: each entity frame's score, joined on time, reduced per row with max.",
      gridPos: { h: 8, w: 5, x: 0, y: 0 },
      targets: [target('timeseries')],
      transformations: [
        keepFields('score'),
        { id: 'joinByField', options: { byField: 'Time', mode: 'outer' } },
        {
          id: 'calculateField',
          options: { mode: 'reduceRow', reduce: { reducer: 'max' }, alias: 'worst score', replaceFields: true },
        },
      ],
      fieldConfig: {
        defaults: { min: 0, max: 100, decimals: 0, unit: 'none', color: { mode: 'thresholds' }, thresholds },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'background',
        graphMode: 'area',
        justifyMode: 'center',
        textMode: 'value',
        orientation: 'auto',
        wideLayout: true,
        showPercentChange: false,
      },
    })
  );
  panels.push(
    panel({
      type: 'table',
      title: 'Triage',
      description: 'The triage frame (query format "triage"): one row per entity, most urgent first.',
      gridPos: { h: 8, w: 19, x: 5, y: 0 },
      targets: [target('triage')],
      fieldConfig: {
        defaults: { custom: { align: 'auto', cellOptions: { type: 'auto' }, filterable: true } },
        overrides: [
          byName('entity', [{ id: 'custom.hidden', value: true }]),
          byName('score', [
            { id: 'custom.cellOptions', value: { type: 'gauge', mode: 'basic' } },
            { id: 'custom.width', value: 180 },
          ]),
          // The triage frame gives peak the same display name as score; name it after the field.
          byName('peak', [{ id: 'displayName', value: 'peak' }]),
          byName('tier', [{ id: 'custom.cellOptions', value: { type: 'color-background' } }]),
          byName('since', [{ id: 'unit', value: 'dateTimeFromNow' }]),
        ],
      },
      options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } },
    })
  );
  panels.push(
    panel({
      type: PANEL_TYPE,
      title: 'Triage queue and explanations',
      description:
        'The Anomaly Score panel: ranked entities, score timeline with tier bands and the explanation of each score.',
      gridPos: { h: 14, w: 24, x: 0, y: 8 },
      targets: [target('timeseries')],
      options: {
        sortBy: 'current',
        tiersShown: ['ok', 'watch', 'review', 'critical'],
        maxEntities: 20,
        layout: 'split',
      },
    })
  );
  panels.push(
    panel({
      type: 'status-history',
      title: 'Score heatmap (entity × time)',
      description:
        'One row per entity, one cell per step, coloured by the score thresholds (the tier cut points). ' +
        'Status history rather than the heatmap panel: the data source returns one wide frame per entity, ' +
        'which status history draws as one row each without transformations, while the heatmap panel ' +
        'expects a single frame of numeric buckets (it would need an outer join of every frame and would ' +
        'order the rows by field name).',
      gridPos: { h: 10, w: 24, x: 0, y: 22 },
      targets: [target('timeseries')],
      transformations: [keepFields('score')],
      fieldConfig: {
        defaults: { custom: { lineWidth: 0, fillOpacity: 85 }, color: { mode: 'thresholds' }, thresholds },
        overrides: [byName('score', [{ id: 'displayName', value: entityName }])],
      },
      options: {
        showValue: 'never',
        rowHeight: 0.9,
        colWidth: 0.9,
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom' },
        tooltip: { mode: 'single', sort: 'none' },
      },
    })
  );
  panels.push(
    panel({
      type: 'state-timeline',
      title: 'Tiers',
      description: "The tier field of each entity frame; colours come from the field's value mappings.",
      gridPos: { h: 10, w: 24, x: 0, y: 32 },
      targets: [target('timeseries')],
      transformations: [keepFields('tier')],
      fieldConfig: {
        defaults: { custom: { lineWidth: 0, fillOpacity: 80 } },
        overrides: [byName('tier', [{ id: 'displayName', value: entityName }])],
      },
      options: {
        mergeValues: true,
        showValue: 'never',
        alignValue: 'left',
        rowHeight: 0.9,
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom' },
        tooltip: { mode: 'single', sort: 'none' },
      },
    })
  );
  const drift = spec.signals.filter((s) => s.id === 'prediction_drift' || /^input_drift_\d+$/.test(s.id));
  drift.forEach((s, i) => {
    const field = `signal:${s.id}`;
    const warn = Number(s.params?.warn);
    const max = Number(s.params?.max);
    const steps: Json[] = [{ color: 'green', value: null }];
    if (Number.isFinite(warn)) {
      steps.push({ color: 'yellow', value: warn });
    }
    if (Number.isFinite(max)) {
      steps.push({ color: 'red', value: max });
    }
    const w = Math.floor(24 / drift.length);
    panels.push(
      panel({
        type: 'timeseries',
        title: `${s.name ?? s.id} (${String(s.params?.metric ?? 'drift').toUpperCase()})`,
        description:
          `The detector's raw statistic (field ${field}) per entity; dashed lines at the warn and max ` +
          'parameters of the spec. The data source hides signal fields from charts by default, so an ' +
          'override shows this one.',
        gridPos: { h: 8, w: i === drift.length - 1 ? 24 - w * i : w, x: w * i, y: 42 },
        targets: [target('timeseries')],
        transformations: [keepFields(field)],
        fieldConfig: {
          defaults: {
            unit: 'none',
            decimals: 2,
            min: 0,
            color: { mode: 'palette-classic' },
            thresholds: { mode: 'absolute', steps },
            custom: {
              drawStyle: 'line',
              lineWidth: 1,
              fillOpacity: 0,
              showPoints: 'never',
              spanNulls: false,
              thresholdsStyle: { mode: 'dashed' },
            },
          },
          overrides: [
            byName(field, [
              { id: 'custom.hideFrom', value: { viz: false, legend: false, tooltip: false } },
              { id: 'displayName', value: '${__series.name}' },
            ]),
          ],
        },
        options: {
          legend: { showLegend: true, displayMode: 'list', placement: 'bottom' },
          tooltip: { mode: 'multi', sort: 'desc' },
        },
      })
    );
  });

  return {
    uid: DASHBOARD_UID,
    title: 'Model health triage',
    description: `Generated from demo/spec.yaml (${spec.id}) by demo/docker/build-dashboard.ts: do not edit by hand.`,
    tags: ['anomalyscore', 'demo'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 41,
    version: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    fiscalYearStartMonth: 0,
    liveNow: false,
    links: [],
    annotations: {
      list: [
        {
          builtIn: 1,
          name: 'Annotations & Alerts',
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          type: 'dashboard',
        },
        {
          name: 'Review or worse',
          datasource: DATASOURCE,
          enable: true,
          iconColor: 'orange',
          target: { ...target('annotations', { annotationTier: 'review' }), refId: 'Anno' },
        },
        {
          // Feedback that people leave from the Anomaly Score panel: Grafana annotations tagged
          // `anomalyscore`, read back by Grafana's built-in annotation source.
          name: 'Feedback',
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          iconColor: 'purple',
          target: { type: 'tags', tags: ['anomalyscore'], matchAny: false, limit: 200 },
        },
      ],
    },
    templating: {
      list: [
        {
          name: 'model',
          label: 'Top entities (model)',
          description: 'The models of the 10 entities with the highest current score, worst first.',
          type: 'query',
          datasource: DATASOURCE,
          query: { ...target('triage', { variable: { limit: 10, label: 'model' } }), refId: 'Var' },
          definition: 'top 10 entities by current score (label model)',
          refresh: 2,
          multi: true,
          includeAll: true,
          current: {},
          options: [],
          sort: 0,
          hide: 0,
          regex: '',
          skipUrlSync: false,
        },
      ],
    },
    panels,
  };
}

export function dashboardJson(spec: DemoSpec = readSpec()): string {
  return JSON.stringify(buildDashboard(spec), null, 2) + '\n';
}

function main(argv: string[]): number {
  const text = dashboardJson();
  if (argv.includes('--check')) {
    const current = fs.existsSync(DASHBOARD_FILE) ? fs.readFileSync(DASHBOARD_FILE, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(
        `${path.relative(ROOT, DASHBOARD_FILE)} is stale: run npx tsx demo/docker/build-dashboard.ts\n`
      );
      return 1;
    }
    process.stdout.write(`${path.relative(ROOT, DASHBOARD_FILE)} is up to date\n`);
    return 0;
  }
  fs.mkdirSync(path.dirname(DASHBOARD_FILE), { recursive: true });
  fs.writeFileSync(DASHBOARD_FILE, text);
  process.stdout.write(`wrote ${path.relative(ROOT, DASHBOARD_FILE)}\n`);
  return 0;
}

if (require.main === module) {
  process.exit(main(process.argv.slice(2)));
}
