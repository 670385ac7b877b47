import React from 'react';
import { of, NEVER } from 'rxjs';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { CalibrationPage } from './CalibrationPage';
import { AppServicesProvider, absoluteRange, type AppServices } from '../shared/services';
import { SETTINGS_URL } from '../shared/versionsStore';
import {
  at,
  fixtureSpec,
  INCIDENT_RUNS,
  N,
  NOISE_RUNS,
  pulses,
  scoreFrame,
  SPEC_INPUT,
  STEP_MS,
  scenarioAnnotations,
  scenarioFrames,
} from '../shared/testing/fixtures';
import { sensitivityKnobOf, type SpecVersionsFile } from '../../scoring/evaluate/calibrate';
import { rampSeverityWithWarn } from '../../scoring/evaluate/severityShift';

jest.mock('@grafana/ui', () => ({
  ...jest.requireActual('@grafana/ui'),
  // Combobox measures text on a canvas jsdom lacks: a plain <select> stands in.
  Combobox: (props: {
    'aria-label'?: string;
    options: Array<{ value: string; label?: string }>;
    value?: string | null;
    onChange: (o: { value: string }) => void;
  }) => (
    <select
      aria-label={props['aria-label']}
      value={props.value ?? ''}
      onChange={(e) => props.onChange({ value: e.currentTarget.value })}
    >
      <option value="">-</option>
      {props.options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label ?? o.value}
        </option>
      ))}
    </select>
  ),
}));

interface Fake {
  services: Partial<AppServices>;
  posts: Array<{ url: string; body: any }>;
  settings: { enabled: boolean; pinned: boolean; jsonData: Record<string, unknown> };
  query: jest.Mock;
}

function fakeServices(query = jest.fn(() => of({ data: scenarioFrames() }))): Fake {
  const annotations = scenarioAnnotations();
  const fake: Fake = {
    posts: [],
    settings: { enabled: true, pinned: true, jsonData: { keep: 'me' } },
    query,
    services: {},
  };
  fake.services = {
    get: (async (url: string, params?: Record<string, unknown>) => {
      if (url === '/api/annotations') {
        const tag = (params?.tags as string[])[0];
        return annotations.filter((a) => a.tags.includes(tag));
      }
      if (url === SETTINGS_URL) {
        return JSON.parse(JSON.stringify(fake.settings));
      }
      throw new Error(`unexpected GET ${url}`);
    }) as AppServices['get'],
    post: (async (url: string, body: any) => {
      fake.posts.push({ url, body: JSON.parse(JSON.stringify(body)) });
      fake.settings = body;
      return {};
    }) as AppServices['post'],
    getDataSource: async () => ({ query }),
    user: () => 'alice',
    now: () => Date.UTC(2024, 5, 1, 12, 0, 0),
    DataSourcePicker: ({ current, onChange, inputId }) => (
      <select id={inputId} value={current ?? ''} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">choose</option>
        <option value="ds-1">Anomaly Score</option>
      </select>
    ),
  };
  return fake;
}

function renderPage(fake: Fake) {
  return render(
    <AppServicesProvider services={fake.services}>
      <CalibrationPage
        defaultRange={absoluteRange(at(0), at(N))}
        defaultSpecText={JSON.stringify(SPEC_INPUT, null, 2)}
      />
    </AppServicesProvider>
  );
}

async function runBacktest(fake: Fake) {
  renderPage(fake);
  fireEvent.change(screen.getByLabelText(/Anomaly Score data source/), { target: { value: 'ds-1' } });
  fireEvent.click(screen.getByRole('button', { name: /Run backtest/ }));
  await screen.findByTestId('backtest-tiers');
}

const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole('cell')
    .map((c) => c.textContent);

// Calibration runs the real search in the test (a few seconds; more on a loaded machine).
jest.setTimeout(30_000);

describe('CalibrationPage', () => {
  it('runs the backtest on the data source frames and shows per-tier figures', async () => {
    const fake = fakeServices();
    await runBacktest(fake);
    // The query carried the spec as written, over the chosen range.
    const request = fake.query.mock.calls[0][0];
    expect(request.targets[0]).toEqual(expect.objectContaining({ refId: 'A', format: 'timeseries', spec: SPEC_INPUT }));
    expect(request.range.from.valueOf()).toBe(at(0));
    // review: 4 incident alerts + 3 noise alerts; critical: only the 4 incident alerts (noise scores 60).
    const review = cells(screen.getByTestId('tier-row-review'));
    expect(review.slice(0, 3)).toEqual(['7', '57.1%', '100.0% (4/4)']);
    expect(review[7]).toBe('14.3%'); // 1 of 7 alerts dismissed by false-alarm feedback
    const critical = cells(screen.getByTestId('tier-row-critical'));
    expect(critical.slice(0, 3)).toEqual(['4', '100.0%', '100.0% (4/4)']);
    // Worst false alarms (review) with links to their time range.
    const falseAlarms = screen.getByTestId('false-alarms');
    expect(within(falseAlarms).getAllByRole('row')).toHaveLength(1 + 3);
    const link = within(falseAlarms).getAllByRole('link')[0];
    expect(link.getAttribute('href')).toMatch(/^\/d\/anomalyscore\?from=\d+&to=\d+&var-model=fraud&var-version=v1$/);
    // Score health and the segment check are there.
    expect(screen.getByTestId('score-health')).toBeInTheDocument();
    const segments = screen.getByTestId('segments');
    expect(within(segments).getByText('fraud')).toBeInTheDocument();
  });

  it('attributes the alert time to the signals and flags the noisy one with its fix', async () => {
    const fake = fakeServices();
    await runBacktest(fake);
    const minutes = (runs: Array<[number, number]>) =>
      runs.reduce((n, [a, b]) => n + b - a + 1, 0) * (STEP_MS / 60_000);
    const falseMinutes = minutes(NOISE_RUNS); // noise alone, outside every incident window
    const trueMinutes = minutes(INCIDENT_RUNS); // latency, inside
    const table = screen.getByTestId('attribution');
    // noise: all the false-alarm minutes, none in incidents, all of its own alert time false: noisy.
    const noise = within(table).getByTestId('attribution-row-noise');
    expect(within(noise).getByRole('rowheader').textContent).toBe('noise');
    const noiseCells = cells(noise);
    expect(noiseCells.slice(0, 7)).toEqual(['robust_z', String(falseMinutes), '100 %', '0', '0 %', '100 %', 'noisy']);
    // The fix: rarity, or warn raised to where severity 0.6 (x = 2 + 3·0.567 = 3.70) becomes 0, measured.
    expect(noiseCells[7]).toBe(
      'Remove warn/max (or set severity: rarity) so it calibrates to its own history; or raise warn from 2 to 3.71: ' +
        'its severity would have been 0 on the steps carrying 100 % of its false-alarm minutes (measured on the backtest: ' +
        `false-alarm minutes ${falseMinutes} → 0 (−100 %), incidents detected 4 → 4 of 4).`
    );
    const latency = cells(within(table).getByTestId('attribution-row-latency'));
    expect(latency.slice(0, 7)).toEqual(['robust_z', '0', '0 %', String(trueMinutes), '100 %', '0 %', '']);
    expect(latency[7]).toBe('');
    expect(
      within(screen.getByTestId('attribution-summary')).getByText(/^noise: 100 % of false-alarm minutes/)
    ).toBeInTheDocument();
    // Score health: every alerting minute counts; latency carries most of the day.
    const health = screen.getByTestId('score-health');
    const share = Math.round((100 * trueMinutes) / (trueMinutes + falseMinutes));
    expect(
      within(health).getByText(`latency ${share} %, noise ${100 - share} % (latency carries most of it)`)
    ).toBeInTheDocument();
    // At critical only the incidents alert: no false-alarm minutes, nobody noisy.
    fireEvent.click(screen.getByRole('radio', { name: '≥ critical' }));
    expect(await screen.findByText(/^No signal is noisy/)).toBeInTheDocument();
    expect(cells(within(screen.getByTestId('attribution')).getByTestId('attribution-row-noise')).slice(1, 3)).toEqual([
      '0',
      '–',
    ]);
  });

  it('shows missed incidents when the tier never reaches them', async () => {
    const fake = fakeServices(jest.fn(() => of({ data: scenarioFrames().slice(1) })));
    await runBacktest(fake);
    const critical = cells(screen.getByTestId('tier-row-critical'));
    expect(critical.slice(0, 3)).toEqual(['0', '–', '0.0% (0/4)']);
    expect(within(screen.getByTestId('missed-incidents')).getAllByRole('row')).toHaveLength(1 + 4);
    expect(screen.getByText(/Incidents matching no scored entity/)).toBeInTheDocument();
  });

  it('cancels a running backtest', async () => {
    const fake = fakeServices(jest.fn(() => NEVER));
    renderPage(fake);
    fireEvent.change(screen.getByLabelText(/Anomaly Score data source/), { target: { value: 'ds-1' } });
    fireEvent.click(screen.getByRole('button', { name: /Run backtest/ }));
    await screen.findByText(/Running the backtest/);
    fireEvent.click(screen.getByRole('button', { name: /Cancel/ }));
    expect(await screen.findByText('Backtest cancelled.')).toBeInTheDocument();
  });

  it('shows spec errors and does not run an invalid spec', async () => {
    const fake = fakeServices();
    renderPage(fake);
    fireEvent.change(screen.getByLabelText(/Spec \(YAML or JSON\)/), { target: { value: 'id: x\nsignals: 3\n' } });
    expect(await screen.findByText('signals: must be a list of signals, got 3 (line 2)')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/Anomaly Score data source/), { target: { value: 'ds-1' } });
    expect(screen.getByRole('button', { name: /Run backtest/ })).toBeDisabled();
  });

  it('calibrates: raises the noisy signal’s warn (no signal removed, no recall lost), with from → to and the figures', async () => {
    const fake = fakeServices();
    await runBacktest(fake);
    fireEvent.click(screen.getByRole('button', { name: /^Calibrate/ }));
    const statement = await screen.findByTestId('calibration-statement');
    expect(statement.textContent).toMatch(/Improved on the held-out part/);
    expect(statement.textContent).toMatch(/precision 0\.667 < 0\.9 \(target not met\) → recall 1\.000/);
    expect(statement.textContent).toMatch(/Held-out recall 1\.000 → 1\.000 \(floor: no recall loss/);
    // The first warn up the noise ramp (2 → 2.75 of 2..5) already takes its bursts (severity 0.6) below review.
    const knob = sensitivityKnobOf(fixtureSpec().signals[1])!;
    const warn = knob.grid[1];
    expect(100 * rampSeverityWithWarn(0.6, knob.current, knob.max!, warn)).toBeLessThan(50);
    const change = within(screen.getByTestId('calibration-changes')).getByTestId('change-signals.noise.params.warn');
    expect(within(change).getByRole('rowheader').textContent).toBe('signals.noise.params.warn');
    expect(cells(change)).toEqual([String(knob.current), String(warn), 'exact']);
    const diff = screen.getByTestId('calibration-diff');
    expect(cells(within(diff).getByText('warn of noise').closest('tr')!)).toEqual(['2', String(warn), 'yes']);
    expect(cells(within(diff).getByText('weight of noise').closest('tr')!)).toEqual(['1', '1', 'no']);
    expect(cells(within(diff).getByText('weight of latency').closest('tr')!)).toEqual(['1', '1', 'no']);
    // The constraint in words; removing signals was off.
    const constraint = screen.getByTestId('calibration-constraint');
    expect(within(constraint).getByText(/^Recall floor: no recall loss/).textContent).toMatch(/met by the proposal/);
    expect(within(constraint).getByText(/^Removing signals: not allowed/)).toBeInTheDocument();
    expect(within(constraint).getByText(/^Median time to detect \(held-out\)/)).toBeInTheDocument();
    // Held-out: 2 incidents + 1 noise alert before, only the 2 incidents after.
    expect(cells(screen.getByTestId('figures-held-out-before')).slice(0, 3)).toEqual(['3', '66.7%', '100.0%']);
    expect(cells(screen.getByTestId('figures-held-out-after')).slice(0, 3)).toEqual(['2', '100.0%', '100.0%']);
  });

  it('removes a saturated noisy signal only when allowed (a native, focusable checkbox)', async () => {
    // noise at severity 1: no warn or weight brings it below review; only removing it does, and it
    // carries no incident, so no recall is lost.
    const frames = () => [
      scoreFrame(
        { model: 'fraud', version: 'v1' },
        { latency: pulses(INCIDENT_RUNS, 0.9), noise: pulses(NOISE_RUNS, 1) }
      ),
      scoreFrame({ model: 'churn', version: 'v1' }, { latency: pulses([], 0), noise: pulses([], 0) }),
    ];
    const fake = fakeServices(jest.fn(() => of({ data: frames() })));
    await runBacktest(fake);
    fireEvent.click(screen.getByRole('button', { name: /^Calibrate/ }));
    expect((await screen.findByTestId('calibration-statement')).textContent).toMatch(/^No measured improvement/);
    expect(screen.getByTestId('calibration-changes').querySelector('caption')!.textContent).toBe(
      'Proposed changes: none'
    );

    const allow = screen.getByRole('checkbox', { name: /^Allow removing signals/ });
    expect(allow).not.toBeChecked();
    allow.focus();
    expect(allow).toHaveFocus();
    fireEvent.click(allow);
    expect(allow).toBeChecked();
    fireEvent.click(screen.getByRole('button', { name: /^Calibrate/ }));
    await waitFor(() =>
      expect(screen.getByTestId('calibration-statement').textContent).toMatch(/^Improved on the held-out part/)
    );
    const change = within(screen.getByTestId('calibration-changes')).getByTestId('change-signals.noise.weight');
    expect(cells(change)).toEqual(['1', 'removed (weight 0)', 'exact']);
    expect(
      within(screen.getByTestId('calibration-constraint')).getByText(/^Removing signals: allowed/)
    ).toBeInTheDocument();
  });

  it('says plainly that no change reaches an absolute recall floor, names the best candidate, and proposes nothing', async () => {
    // The last held-out incident (90-92) is invisible: held-out recall is 1/2 whatever the spec.
    const seen = INCIDENT_RUNS.slice(0, 3);
    const frames = () => [
      scoreFrame({ model: 'fraud', version: 'v1' }, { latency: pulses(seen, 0.9), noise: pulses(NOISE_RUNS, 0.6) }),
      scoreFrame({ model: 'churn', version: 'v1' }, { latency: pulses([], 0), noise: pulses([], 0) }),
    ];
    const fake = fakeServices(jest.fn(() => of({ data: frames() })));
    await runBacktest(fake);
    fireEvent.click(screen.getByRole('radio', { name: 'At least' }));
    const floor = screen.getByLabelText('Minimum recall');
    fireEvent.change(floor, { target: { value: '2' } });
    expect(screen.getByText('A number in [0, 1].')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Calibrate/ })).toBeDisabled();
    fireEvent.change(floor, { target: { value: '1' } });
    fireEvent.click(screen.getByRole('button', { name: /^Calibrate/ }));
    const statement = await screen.findByTestId('calibration-statement');
    expect(statement.textContent).toMatch(/^No change keeps the recall floor/);
    expect(statement.textContent).toMatch(
      /No change reaches held-out recall >= 1\.000 \(the current spec has held-out recall 0\.500\); the best candidate \(signals\.noise\.params\.warn: 2 → /
    );
    expect(statement.textContent).toMatch(/Nothing is proposed/);
    expect(
      within(screen.getByTestId('calibration-refused')).getByText(/would reach precision 100\.0%/)
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Apply proposal/ })).toBeDisabled();
  });

  it('states "no improvement" when the calibrator measured none', async () => {
    // Only the incidents: the current spec is already perfect.
    const quiet = scenarioFrames();
    const fake = fakeServices(jest.fn(() => of({ data: quiet.slice(1) })));
    await runBacktest(fake);
    fireEvent.click(screen.getByRole('button', { name: /^Calibrate/ }));
    const statement = await screen.findByTestId('calibration-statement');
    expect(statement.textContent).toMatch(/^No measured improvement/);
    expect(statement.textContent).not.toMatch(/Improved/);
    expect(screen.getByRole('button', { name: /Apply proposal/ })).toBeDisabled();
  });

  it('applies the proposal as a new version with reason and author, then restores an old one', async () => {
    const fake = fakeServices();
    await runBacktest(fake);
    fireEvent.click(screen.getByRole('button', { name: /^Calibrate/ }));
    await screen.findByTestId('calibration-statement');
    const apply = screen.getByRole('button', { name: /Apply proposal/ });
    // The reason is required.
    fireEvent.click(apply);
    expect(await screen.findByText('Say why this version is applied.')).toBeInTheDocument();
    expect(fake.posts).toHaveLength(0);
    fireEvent.change(screen.getByLabelText(/Reason/), { target: { value: 'noise signal only raises false alarms' } });
    fireEvent.click(apply);
    await screen.findByText(/Version 2 of fraud-health stored/);

    expect(fake.posts).toHaveLength(1);
    const { url, body } = fake.posts[0];
    expect(url).toBe(SETTINGS_URL);
    expect(body.enabled).toBe(true);
    expect(body.jsonData.keep).toBe('me');
    const file = body.jsonData.specVersions['fraud-health'] as SpecVersionsFile;
    expect(file.versions.map((v) => v.version)).toEqual([1, 2]);
    const v2 = file.versions[1];
    expect(v2).toEqual(
      expect.objectContaining({
        author: 'alice',
        reason: 'noise signal only raises false alarms',
        at: '2024-06-01T12:00:00.000Z',
      })
    );
    // No signal removed: the noise signal's warn was raised.
    const warn = sensitivityKnobOf(fixtureSpec().signals[1])!.grid[1];
    expect(v2.spec.signals.map((s) => s.id)).toEqual(['latency', 'noise']);
    expect(v2.spec.signals[1].params.warn).toBe(warn);
    expect(v2.backtest).toEqual(expect.objectContaining({ improved: true, recall_floor: 'no_loss' }));
    expect(file.versions[0].spec.signals[1].params.warn).toBe(2);
    // The editor now holds the applied version.
    expect((screen.getByLabelText(/Spec \(YAML or JSON\)/) as HTMLTextAreaElement).value).toMatch(
      new RegExp(`warn: ${warn}\\b`)
    );

    // History: who / when / why, and Restore of version 1 appends version 3.
    const history = screen.getByTestId('versions');
    expect(within(history).getByText('noise signal only raises false alarms')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/Reason/), { target: { value: '' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Restore version 1' }));
    });
    await screen.findByText(/Version 1 restored as version 3/);
    expect(fake.posts).toHaveLength(2);
    const after = fake.posts[1].body.jsonData.specVersions['fraud-health'] as SpecVersionsFile;
    expect(after.versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(after.versions[2]).toEqual(expect.objectContaining({ author: 'alice', reason: 'restore version 1' }));
    expect(after.versions[2].spec.signals.map((s) => s.id)).toEqual(['latency', 'noise']);
    expect(after.versions[2].spec.signals[1].params.warn).toBe(2);
    await waitFor(() => expect(within(screen.getByTestId('versions')).getByText('3 (current)')).toBeInTheDocument());
  });

  it('shows the error when saving a version fails', async () => {
    const fake = fakeServices();
    fake.services.post = async () => {
      throw new Error('Permission denied');
    };
    await runBacktest(fake);
    fireEvent.click(screen.getByRole('button', { name: /^Calibrate/ }));
    await screen.findByTestId('calibration-statement');
    fireEvent.change(screen.getByLabelText(/Reason/), { target: { value: 'why not' } });
    fireEvent.click(screen.getByRole('button', { name: /Apply proposal/ }));
    expect(await screen.findByText('Permission denied')).toBeInTheDocument();
  });
});
