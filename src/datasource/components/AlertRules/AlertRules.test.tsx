import React from 'react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import {
  compileRules,
  grafanaApiRules,
  grafanaProvisioning,
  lokiRulesYaml,
  prometheusRulesYaml,
  yaml,
  type CompiledRules,
} from '../../../scoring/rules';
import type { ScoreSpecInput } from '../../../scoring/spec';
import type { DataSource } from '../../datasource';
import type { AnomalyDataSourceOptions, AnomalyQuery } from '../../types';
import { effectiveInput } from '../../querySpec';
import { installDomPolyfills } from '../testing/grafanaMocks';
import { QueryEditor } from '../QueryEditor/QueryEditor';
import { AlertRuleActions } from './AlertRuleActions';
import { AlertRuleServicesProvider, type AlertRuleServices } from './services';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  DataSourcePicker: (p: object) => require('../testing/grafanaMocks').MockDataSourcePicker(p),
  FolderPicker: ({ value, onChange }: { value?: string; onChange?: (uid?: string, title?: string) => void }) => {
    const folders = [
      { uid: 'ops', title: 'Ops' },
      { uid: 'ml-health', title: 'ML health' },
    ];
    return (
      <select
        aria-label="Folder"
        value={value ?? ''}
        onChange={(e) => {
          const f = folders.find((x) => x.uid === e.currentTarget.value);
          onChange?.(f?.uid, f?.title);
        }}
      >
        <option value="">Choose a folder</option>
        {folders.map((f) => (
          <option key={f.uid} value={f.uid}>
            {f.title}
          </option>
        ))}
      </select>
    );
  },
}));

beforeAll(installDomPolyfills);

const BY = 'model, version';
const SPEC: ScoreSpecInput = {
  id: 'model-health',
  entity: ['model', 'version'],
  step: '1m',
  signals: [
    {
      id: 'latency',
      kind: 'robust_z',
      direction: 'up',
      // Fixed ramps: the compiler does not compile the rarity severity yet.
      params: { window: '1h', severity: 'ramp' },
      source: { queries: { value: `sum by (${BY}) (rate(latency_sum[5m]))` } },
    },
    {
      id: 'errors',
      kind: 'ratio',
      params: { severity: 'ramp' },
      source: {
        queries: {
          numerator: `sum by (${BY}) (increase(errors_total[1m]))`,
          denominator: `sum by (${BY}) (increase(requests_total[1m]))`,
        },
      },
    },
    {
      id: 'error_logs',
      kind: 'robust_z',
      params: { severity: 'ramp' },
      source: {
        datasource: { type: 'loki' },
        queries: { value: `sum by (${BY}) (count_over_time({app="svc", level="error"}[5m]))` },
      },
    },
    {
      id: 'drift',
      kind: 'histogram_drift',
      source: { queries: { buckets: `sum by (${BY}, le) (increase(score_bucket[1m]))` } },
    },
    {
      id: 'mean_score',
      kind: 'level_shift',
      source: { queries: { value: `avg by (${BY}) (score)` } },
    },
  ],
};

const SETTINGS: AnomalyDataSourceOptions = {
  prometheus: { uid: 'prom-a', type: 'prometheus' },
  tiers: { cuts: { watch: 30, review: 60, critical: 80 }, hysteresis: 4 },
};

function compiled(spec: ScoreSpecInput = SPEC): CompiledRules {
  const r = compileRules(spec);
  expect(r.ok).toBe(true);
  return r.rules!;
}

function setup(
  opts: { spec?: ScoreSpecInput; settings?: AnomalyDataSourceOptions; post?: AlertRuleServices['post'] } = {}
) {
  const post = jest.fn<Promise<unknown>, Parameters<AlertRuleServices['post']>>(
    opts.post ?? (async (_url, body) => ({ ...(body as object), id: 7 }))
  );
  const downloads: Array<{ fileName: string; blob: Blob }> = [];
  const services = { post, download: (fileName: string, blob: Blob) => downloads.push({ fileName, blob }) };
  render(
    <AlertRuleServicesProvider value={services}>
      <AlertRuleActions spec={opts.spec ?? SPEC} settings={opts.settings ?? SETTINGS} idPrefix="t" />
    </AlertRuleServicesProvider>
  );
  return { post, downloads };
}

const openModal = () => {
  fireEvent.click(screen.getByRole('button', { name: 'Create alert rule' }));
  return screen.getByRole('dialog');
};
const chooseFolder = (uid: string) => fireEvent.change(screen.getByLabelText('Folder'), { target: { value: uid } });
const preview = () => JSON.parse((screen.getByLabelText(/^Rule/) as HTMLTextAreaElement).value);
const createButton = () => screen.getByRole('button', { name: /^(Create rule|Retry)$/ });

function blobText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsText(blob);
  });
}

describe('Create alert rule', () => {
  it('previews the body the compiler produces for the chosen tier, folder and Prometheus uid', () => {
    setup();
    openModal();
    const c = compiled();
    chooseFolder('ml-health');
    // Default tier critical, default Prometheus uid from the data source settings.
    expect(screen.getByTestId('ds-picker-t-alert-prometheus')).toHaveValue('prom-a');
    expect(preview()).toEqual(grafanaApiRules(c, { prometheusUid: 'prom-a', folderUid: 'ml-health' })[2]);

    fireEvent.click(screen.getByRole('radio', { name: 'Review' }));
    fireEvent.change(screen.getByTestId('ds-picker-t-alert-prometheus'), { target: { value: 'prom-b' } });
    const body = preview();
    expect(body).toEqual(
      grafanaApiRules(c, { prometheusUid: 'prom-b', folderUid: 'ml-health' }).find((r) => r.labels.tier === 'review')
    );
    expect(body.folderUID).toBe('ml-health');
    expect(body.data[0].datasourceUid).toBe('prom-b');
    expect(body.labels.tier).toBe('review');
  });

  it('needs a folder before it can create the rule', () => {
    const { post } = setup();
    openModal();
    expect(createButton()).toHaveAttribute('aria-disabled', 'true');
    fireEvent.click(createButton());
    expect(post).not.toHaveBeenCalled();
    chooseFolder('ops');
    expect(createButton()).toBeEnabled();
  });

  it('posts exactly the previewed body with X-Disable-Provenance and links to the created rule', async () => {
    const { post } = setup({ post: async (_u, body) => ({ ...(body as object), uid: 'created-uid' }) });
    openModal();
    chooseFolder('ops');
    fireEvent.click(screen.getByRole('radio', { name: 'Watch' }));
    const shown = preview();
    await act(async () => fireEvent.click(createButton()));

    expect(post).toHaveBeenCalledTimes(1);
    const [url, body, options] = post.mock.calls[0];
    expect(url).toBe('/api/v1/provisioning/alert-rules');
    expect(body).toEqual(shown);
    expect(body).toEqual(alertBody('watch', 'prom-a', 'ops'));
    expect(options.headers).toEqual({ 'X-Disable-Provenance': 'true' });

    const link = await screen.findByRole('link', { name: /Open/ });
    expect(link).toHaveAttribute('href', '/alerting/grafana/created-uid/view');
    expect(screen.getByText('Alert rule created')).toBeInTheDocument();
  });

  it('shows Grafana’s error, keeps the modal open and lets the user retry', async () => {
    let fail = true;
    const { post } = setup({
      post: async (_u, body) => {
        if (fail) {
          throw { status: 409, data: { message: 'a rule with uid anomaly-model-health-critical already exists' } };
        }
        return body;
      },
    });
    openModal();
    chooseFolder('ops');
    await act(async () => fireEvent.click(createButton()));

    expect(await screen.findByTestId('anomalyscore-alert-error')).toHaveTextContent(
      'a rule with uid anomaly-model-health-critical already exists (HTTP 409)'
    );
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(screen.getByLabelText('Folder')).toHaveValue('ops');

    fail = false;
    expect(createButton()).toHaveTextContent('Retry');
    await act(async () => fireEvent.click(createButton()));
    expect(post).toHaveBeenCalledTimes(2);
    expect(post.mock.calls[1][1]).toEqual(post.mock.calls[0][1]);
    expect(await screen.findByRole('link', { name: /Open/ })).toHaveAttribute(
      'href',
      `/alerting/grafana/${alertBody('critical', 'prom-a', 'ops').uid}/view`
    );
    expect(screen.queryByTestId('anomalyscore-alert-error')).not.toBeInTheDocument();
  });

  it('lists the signals the compiler could not compile, with the reason', () => {
    setup();
    const dialog = openModal();
    const list = within(dialog).getByTestId('anomalyscore-unsupported');
    const items = within(list)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    const c = compiled();
    expect(c.unsupported.map((u) => u.signal).sort()).toEqual(['drift', 'mean_score']);
    expect(items).toEqual(c.unsupported.map((u) => `${u.signal} (${u.kind}): ${u.reason}`));
    expect(within(dialog).getByText(/level_shift is a CUSUM/)).toBeInTheDocument();
  });

  it('points to the recording rules that must be loaded first, with the download action', () => {
    setup();
    const dialog = openModal();
    expect(within(dialog).getByText('Load the recording rules first')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Download rules' })).toBeInTheDocument();
  });

  it('closes with Cancel', () => {
    setup();
    openModal();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});

function alertBody(tier: 'watch' | 'review' | 'critical', prometheusUid: string, folderUid: string) {
  return grafanaApiRules(compiled(), { prometheusUid, folderUid }).find((r) => r.labels.tier === tier)!;
}

describe('Download rules', () => {
  it('downloads each format with the compiler’s text and a file name after the spec id', async () => {
    const { downloads } = setup();
    const c = compiled();
    const expected = [
      {
        item: /Prometheus \/ Mimir rules/,
        fileName: 'model-health.prometheus.rules.yaml',
        text: prometheusRulesYaml(c),
      },
      { item: /Loki ruler rules/, fileName: 'model-health.loki.rules.yaml', text: lokiRulesYaml(c) },
      {
        item: /Grafana alerting provisioning/,
        fileName: 'model-health.grafana-alerting.yaml',
        text: yaml(grafanaProvisioning(c, { prometheusUid: 'prom-a' })),
      },
      {
        item: /Grafana alert rules API/,
        fileName: 'model-health.alert-rules.json',
        text: JSON.stringify(grafanaApiRules(c, { prometheusUid: 'prom-a' }), null, 2) + '\n',
      },
    ];
    for (const e of expected) {
      fireEvent.click(screen.getByRole('button', { name: 'Download rules' }));
      fireEvent.click(await screen.findByRole('menuitem', { name: e.item }));
    }
    expect(downloads.map((d) => d.fileName)).toEqual(expected.map((e) => e.fileName));
    for (let i = 0; i < expected.length; i++) {
      expect(await blobText(downloads[i].blob)).toBe(expected[i].text);
    }
    expect(downloads[0].blob.type).toBe('application/yaml');
    expect(downloads[3].blob.type).toBe('application/json');
    // The Prometheus file lists what was left out.
    expect(expected[0].text).toMatch(/NOT COMPILED/);
  });

  it('uses the folder and Prometheus uid chosen in the modal for the Grafana formats', async () => {
    const { downloads } = setup();
    const dialog = openModal();
    chooseFolder('ml-health');
    fireEvent.change(screen.getByTestId('ds-picker-t-alert-prometheus'), { target: { value: 'prom-b' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Download rules' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: /Grafana alert rules API/ }));
    const rules = JSON.parse(await blobText(downloads[0].blob));
    expect(rules).toEqual(grafanaApiRules(compiled(), { prometheusUid: 'prom-b', folderUid: 'ml-health' }));
  });

  it('disables the Loki file when the spec has no log signals', async () => {
    const spec = { ...SPEC, signals: SPEC.signals.filter((s) => s.id !== 'error_logs') };
    const { downloads } = setup({ spec });
    fireEvent.click(screen.getByRole('button', { name: 'Download rules' }));
    const loki = await screen.findByRole('menuitem', { name: /Loki ruler rules/ });
    expect(loki).toBeDisabled();
    fireEvent.click(loki);
    expect(downloads).toHaveLength(0);
  });

  it('disables both actions while the spec does not compile', () => {
    setup({ spec: { ...SPEC, signals: [{ id: 'Bad id', kind: 'robust_z' }] } as unknown as ScoreSpecInput });
    for (const name of ['Create alert rule', 'Download rules']) {
      const button = screen.getByRole('button', { name });
      expect(button).toHaveAttribute('aria-disabled', 'true');
      fireEvent.click(button);
    }
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
  });
});

describe('Query editor', () => {
  it('compiles the spec as the pipeline runs it (tiers from the data source settings)', async () => {
    const downloads: Array<{ fileName: string; blob: Blob }> = [];
    const query: AnomalyQuery = { refId: 'A', format: 'timeseries', spec: { ...SPEC, id: '' } };
    render(
      <AlertRuleServicesProvider value={{ download: (fileName, blob) => downloads.push({ fileName, blob }) }}>
        <QueryEditor
          query={query}
          datasource={{ options: SETTINGS } as unknown as DataSource}
          onChange={jest.fn()}
          onRunQuery={jest.fn()}
        />
      </AlertRuleServicesProvider>
    );
    fireEvent.click(screen.getByRole('button', { name: 'Download rules' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: /Prometheus \/ Mimir rules/ }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    const c = compiled(effectiveInput(query.spec, 'A', SETTINGS));
    expect(downloads[0].fileName).toBe('query-A.prometheus.rules.yaml');
    const text = await blobText(downloads[0].blob);
    expect(text).toBe(prometheusRulesYaml(c));
    expect(text).toContain('anomaly:score{spec="query-A"} >= bool 80');
  });
});
