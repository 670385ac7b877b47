import React, { useState } from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { DataSourceSettings } from '@grafana/data';
import { validateSpec } from '../../../scoring/spec';
import type { AnomalyDataSourceOptions } from '../../types';
import { ConfigEditor } from './ConfigEditor';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  DataSourcePicker: (p: object) => require('../testing/grafanaMocks').MockDataSourcePicker(p),
}));

type Settings = DataSourceSettings<AnomalyDataSourceOptions>;

function setup(jsonData: AnomalyDataSourceOptions = {}) {
  const initial = {
    id: 1,
    uid: 'anomaly',
    name: 'Anomaly Score',
    type: 'opsml-anomalyscore-datasource',
    jsonData,
  } as unknown as Settings;
  let latest = initial;
  const onOptionsChange = jest.fn<void, [Settings]>();
  function Harness() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(o) => {
          latest = o;
          onOptionsChange(o);
          setOptions(o);
        }}
      />
    );
  }
  render(<Harness />);
  return { json: () => latest.jsonData, onOptionsChange };
}

const commit = (input: HTMLElement, value: string) => {
  fireEvent.change(input, { target: { value } });
  fireEvent.blur(input);
};

/** jsonData.tiers / context must be valid ScoreSpec sections: the pipeline feeds them to validateSpec. */
const asSpec = (json: AnomalyDataSourceOptions) =>
  validateSpec({
    id: 's',
    signals: [{ id: 'x', kind: 'threshold', params: { above: 1 } }],
    tiers: json.tiers,
    context: json.context,
  });

describe('ConfigEditor', () => {
  it('stores the default Prometheus and Loki as {uid, type}, each picker filtered to its type', () => {
    const { json } = setup();
    const prom = screen.getByLabelText(/^Prometheus/);
    const loki = screen.getByLabelText(/^Loki/);
    expect(
      within(prom)
        .getAllByRole('option')
        .map((o) => o.textContent)
    ).toEqual(['Select a data source', 'Prometheus A', 'Prometheus B']);
    expect(
      within(loki)
        .getAllByRole('option')
        .map((o) => o.textContent)
    ).toEqual(['Select a data source', 'Loki A']);
    fireEvent.change(prom, { target: { value: 'prom-b' } });
    fireEvent.change(loki, { target: { value: 'loki-a' } });
    expect(json().prometheus).toEqual({ uid: 'prom-b', type: 'prometheus' });
    expect(json().loki).toEqual({ uid: 'loki-a', type: 'loki' });
  });

  it('writes tier cuts, hysteresis and minimum duration in the ScoreSpec format', () => {
    const { json } = setup();
    expect(screen.getByLabelText(/^Watch from/)).toHaveAttribute('placeholder', '25');
    commit(screen.getByLabelText(/^Watch from/), '20');
    commit(screen.getByLabelText(/^Critical from/), '80');
    commit(screen.getByLabelText(/^Hysteresis/), '3');
    commit(screen.getByRole('textbox', { name: /^Minimum duration\s*a rise into a tier/ }), '5m');
    expect(json().tiers).toEqual({ cuts: { watch: 20, critical: 80 }, hysteresis: 3, minDuration: '5m' });
    expect(asSpec(json()).errors).toEqual([]);

    fireEvent.click(screen.getByLabelText('Minimum duration per tier'));
    expect(json().tiers?.minDuration).toEqual({ watch: '5m', review: '5m', critical: '5m' });
    commit(screen.getByLabelText(/^Minimum duration: critical/), '0s');
    expect(json().tiers?.minDuration).toEqual({ watch: '5m', review: '5m', critical: '0s' });

    // Clearing every field removes the section (the engine's defaults apply again).
    fireEvent.click(screen.getByLabelText('Minimum duration per tier'));
    commit(screen.getByRole('textbox', { name: /^Minimum duration\s*a rise into a tier/ }), '');
    for (const label of [/^Watch from/, /^Critical from/, /^Hysteresis/]) {
      commit(screen.getByLabelText(label), '');
    }
    expect(json().tiers).toBeUndefined();
    expect('tiers' in json()).toBe(false);
  });

  it('shows a tier-cut ordering error at the field it concerns', () => {
    setup({ tiers: { cuts: { watch: 30 } } });
    const review = screen.getByLabelText(/^Review from/);
    expect(review).not.toHaveAccessibleDescription(/must be above/);
    commit(review, '20');
    expect(screen.getByLabelText(/^Review from/)).toHaveAccessibleDescription(
      'must be above tiers.cuts.watch (30), got 20'
    );
    expect(screen.getByLabelText(/^Watch from/)).not.toHaveAccessibleDescription(/must/);
    expect(screen.getByLabelText(/^Critical from/)).not.toHaveAccessibleDescription(/must/);
    commit(screen.getByLabelText(/^Review from/), '40');
    expect(screen.getByLabelText(/^Review from/)).not.toHaveAccessibleDescription(/must be above/);
  });

  it('writes playbook entries per tier, with the default action when only other fields are set', () => {
    const { json } = setup({ tiers: { hysteresis: 2 } });
    fireEvent.change(screen.getByLabelText('review owner'), { target: { value: 'ml-oncall' } });
    fireEvent.change(screen.getByLabelText('critical action'), { target: { value: 'roll back' } });
    fireEvent.change(screen.getByLabelText('critical runbook link'), { target: { value: 'https://runbooks/model' } });
    expect(json().tiers).toEqual({
      hysteresis: 2,
      playbook: {
        review: { owner: 'ml-oncall', action: 'human review' },
        critical: { action: 'roll back', runbook: 'https://runbooks/model' },
      },
    });
    expect(asSpec(json()).spec?.tiers.playbook.critical).toEqual({
      action: 'roll back',
      runbook: 'https://runbooks/model',
    });
    // An emptied action of an entry that still has other fields is an error at the action field.
    fireEvent.change(screen.getByLabelText('critical action'), { target: { value: '' } });
    expect(screen.getByLabelText('critical action')).toHaveAccessibleDescription(/must be a non-empty string/);
  });

  it('writes context rules: matchers, multiplier, floor, suppression windows and model age', () => {
    const { json } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Add context rule' }));
    const rule = screen.getByRole('region', { name: /^1\. rule_1/ });
    fireEvent.change(within(rule).getByLabelText(/^Rule id/), { target: { value: 'regulated' } });
    fireEvent.click(within(rule).getByRole('button', { name: 'Add matcher' }));
    fireEvent.change(within(rule).getByLabelText('Label of matcher 1 of rule regulated'), {
      target: { value: 'model' },
    });
    fireEvent.change(within(rule).getByLabelText('Value of matcher 1 of rule regulated'), {
      target: { value: '/credit-.*/' },
    });
    commit(within(rule).getByLabelText(/^Multiplier/), '2');
    fireEvent.click(within(rule).getByRole('radio', { name: 'review' }));
    fireEvent.click(within(rule).getByRole('button', { name: 'Add window' }));
    commit(within(rule).getByLabelText('Start of window 1 of rule regulated'), '2025-01-01T02:00:00Z');
    commit(within(rule).getByLabelText('End of window 1 of rule regulated'), '1735704000000');
    fireEvent.click(within(rule).getByLabelText('Model age (rule regulated)'));
    commit(within(rule).getByLabelText(/^Younger than/), '3d');

    expect(json().context).toEqual([
      {
        id: 'regulated',
        match: { model: '/credit-.*/' },
        multiplier: 2,
        floor: 'review',
        suppress: [{ from: '2025-01-01T02:00:00Z', to: 1735704000000 }],
        modelAge: { label: 'deployed_at', youngerThan: '3d', multiplier: 1.5 },
      },
    ]);
    expect(asSpec(json()).errors).toEqual([]);
  });

  it('shows context rule errors at their fields', () => {
    setup({
      context: [
        { id: 'a', match: { 'bad-label': 'x' }, multiplier: 1 },
        { id: 'a', match: {}, multiplier: 1, suppress: [{ from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' }] },
      ],
    });
    const second = screen.getByRole('region', { name: /^2\. a/ });
    expect(within(second).getByLabelText(/^Rule id/)).toHaveAccessibleDescription('duplicate rule id "a"');
    expect(within(second).getByLabelText('End of window 1 of rule a')).toHaveAccessibleDescription(
      'must not be before from'
    );
    const first = screen.getByRole('region', { name: /^1\. a/ });
    expect(within(first).getByLabelText('Label of matcher 1 of rule a')).toHaveAccessibleDescription(
      'is not a Prometheus label name'
    );
    commit(within(first).getByLabelText(/^Multiplier/), '-1');
    expect(
      within(screen.getByRole('region', { name: /^1\. a/ })).getByLabelText(/^Multiplier/)
    ).toHaveAccessibleDescription(/must be a number >= 0, got -1/);
  });

  it('removes and reorders context rules', () => {
    const { json } = setup({
      context: [
        { id: 'one', match: {}, multiplier: 1 },
        { id: 'two', match: {}, floor: 'watch' },
      ],
    });
    fireEvent.click(screen.getByRole('button', { name: 'Move rule two up' }));
    expect(json().context?.map((r) => r.id)).toEqual(['two', 'one']);
    fireEvent.click(screen.getByRole('button', { name: 'Remove rule two' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove rule one' }));
    expect('context' in json()).toBe(false);
  });
});
