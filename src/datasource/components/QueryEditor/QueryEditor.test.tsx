import React, { useState } from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { kindInfo, parseSpec, validateSpec } from '../../../scoring/spec';
import type { ScoreSpecInput } from '../../../scoring/spec';
import type { DataSource } from '../../datasource';
import type { AnomalyDataSourceOptions, AnomalyQuery } from '../../types';
import { installDomPolyfills } from '../testing/grafanaMocks';
import { QueryEditor } from './QueryEditor';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  DataSourcePicker: (p: object) => require('../testing/grafanaMocks').MockDataSourcePicker(p),
}));

beforeAll(installDomPolyfills);

const signal = (id: string, extra: object = {}) => ({
  id,
  kind: 'robust_z' as const,
  source: { queries: { value: `metric_${id}` } },
  ...extra,
});

const baseSpec = (): ScoreSpecInput => ({
  id: 'model-health',
  entity: ['model', 'version'],
  signals: [signal('a', { params: { window: '2h' } }), signal('b', { weight: 2 }), signal('c')],
});

function setup(spec: ScoreSpecInput = baseSpec(), settings: AnomalyDataSourceOptions = {}) {
  const onChange = jest.fn<void, [AnomalyQuery]>();
  const onRunQuery = jest.fn();
  const initial: AnomalyQuery = { refId: 'A', format: 'timeseries', history: '6h', spec };
  let latest = initial;
  function Harness() {
    const [query, setQuery] = useState(initial);
    return (
      <QueryEditor
        query={query}
        datasource={{ options: settings } as unknown as DataSource}
        onChange={(q) => {
          latest = q;
          onChange(q);
          setQuery(q);
        }}
        onRunQuery={onRunQuery}
      />
    );
  }
  render(<Harness />);
  return { onChange, onRunQuery, query: () => latest };
}

const ids = (q: AnomalyQuery) => q.spec.signals.map((s) => s.id);
/** The card of a signal, found by its heading `2. b robust_z`. */
const section = (id: string) => screen.getByRole('region', { name: new RegExp(`^\\d+\\. ${id} `) });

describe('QueryEditor: signals list', () => {
  it('adds a signal with a fresh id and the default kind, and runs the query', () => {
    const { query, onRunQuery } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Add signal' }));
    expect(ids(query())).toEqual(['a', 'b', 'c', 'signal_1']);
    expect(query().spec.signals[3]).toEqual({ id: 'signal_1', kind: 'robust_z', source: { queries: { value: '' } } });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    // Focus moves to the new signal's id field.
    expect(document.activeElement).toBe(within(section('signal_1')).getByLabelText(/^Id/));
  });

  it('removes the signal whose button was pressed', () => {
    const { query } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Remove signal b' }));
    expect(ids(query())).toEqual(['a', 'c']);
    expect(query().spec.signals[1]).toEqual(signal('c'));
  });

  it('reorders with move up / move down and keeps keyboard focus on the moved signal', () => {
    const { query } = setup();
    expect(screen.getByRole('button', { name: 'Move signal a up' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Move signal c down' })).toBeDisabled();

    fireEvent.click(screen.getByRole('button', { name: 'Move signal b up' }));
    expect(ids(query())).toEqual(['b', 'a', 'c']);
    // b is first now: its "up" button is disabled, so focus lands on its "down" button.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move signal b down' }));

    fireEvent.click(screen.getByRole('button', { name: 'Move signal a down' }));
    expect(ids(query())).toEqual(['b', 'c', 'a']);
    expect(query().spec.signals[2]).toEqual(signal('a', { params: { window: '2h' } }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move signal a up' }));
  });

  it('duplicates a signal after itself with a unique id and an independent copy', () => {
    const { query } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Duplicate signal a' }));
    expect(ids(query())).toEqual(['a', 'a_copy', 'b', 'c']);
    const [original, copy] = query().spec.signals;
    expect(copy).toEqual({ ...original, id: 'a_copy' });
    expect(copy.params).not.toBe(original.params);
    fireEvent.click(screen.getByRole('button', { name: 'Duplicate signal a' }));
    expect(ids(query())).toEqual(['a', 'a_copy_2', 'a_copy', 'b', 'c']);
    expect(validateSpec(query().spec).ok).toBe(true);
  });
});

describe('QueryEditor: signal fields', () => {
  it('changing the kind resets params to that kind’s validated defaults and sets its query roles', async () => {
    const { query, onRunQuery } = setup({
      id: 'x',
      signals: [signal('lat', { params: { window: '2h', warn: 4 }, direction: 'down' })],
    });
    const kind = within(section('lat')).getByRole('combobox', { name: /^Kind/ });
    await act(async () => fireEvent.click(kind));
    // Each kind is offered with its help text as the description.
    const option = await screen.findByRole('option', { name: /^ratio/ });
    expect(option).toHaveTextContent(kindInfo('ratio')!.help.kind);
    await act(async () => fireEvent.click(option));

    const s = query().spec.signals[0];
    expect(s.kind).toBe('ratio');
    expect(s.params).toEqual({});
    expect(s.source?.queries).toEqual({ numerator: '', denominator: '' });
    expect(s.direction).toBe('down'); // ratio offers up/down/both, so the choice survives
    expect(onRunQuery).toHaveBeenCalled();

    // The defaults now in force are the ratio kind's, and they validate.
    const info = kindInfo('ratio')!;
    expect(info.validate({ ...info.defaults }, 'p')).toEqual([]);
    const withQueries = { ...s, source: { queries: { numerator: 'errors', denominator: 'requests' } } };
    expect(validateSpec({ id: 'x', signals: [withQueries] }).errors).toEqual([]);
    // ...and they are what the param fields show as placeholders (the window of ratio is 5m, not 1h).
    const region = section('lat');
    expect(within(region).getByLabelText(/^window/)).toHaveAttribute('placeholder', '5m');
    expect(within(region).getByLabelText(/^minRelChange/)).toHaveAttribute('placeholder', '0.1');
    expect(within(region).getByLabelText(/^window/)).toHaveValue('');
    expect(within(region).getByLabelText(/^Query: numerator/)).toBeInTheDocument();
    expect(within(region).queryByLabelText(/^Query: value/)).not.toBeInTheDocument();
  });

  it('shows an invalid param’s error at that param’s field, and in the summary', () => {
    setup({ id: 'x', signals: [signal('a'), signal('b', { params: { window: 'soon' } })] });
    const windowB = within(section('b')).getByLabelText(/^window/);
    expect(windowB).toHaveAccessibleDescription(/must be a duration like 1h/);
    expect(within(section('a')).getByLabelText(/^window/)).not.toHaveAccessibleDescription(/must be/);
    expect(screen.getByTestId('anomalyscore-spec-errors')).toHaveTextContent(
      'signals[1].params.window: must be a duration'
    );
  });

  it('commits a param on blur (not on each keystroke) and reports cross-field errors at the field', () => {
    const { query, onChange, onRunQuery } = setup({ id: 'x', signals: [signal('a')] });
    const warn = within(section('a')).getByLabelText(/^warn/);
    fireEvent.change(warn, { target: { value: '9' } });
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.blur(warn);
    expect(query().spec.signals[0].params).toEqual({ warn: 9 });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(within(section('a')).getByLabelText(/^max/)).toHaveAccessibleDescription(/must be greater than warn \(9\)/);

    // Clearing the field goes back to the default.
    fireEvent.change(warn, { target: { value: '' } });
    fireEvent.blur(warn);
    expect(query().spec.signals[0].params).toEqual({});
    expect(screen.queryByTestId('anomalyscore-spec-errors')).not.toBeInTheDocument();
  });

  it('updates expressions while typing but runs the query only on blur', () => {
    const { query, onRunQuery } = setup({ id: 'x', signals: [signal('a')] });
    const expr = within(section('a')).getByLabelText(/^Query: value/);
    fireEvent.change(expr, { target: { value: 'rate(x[5m])' } });
    expect(query().spec.signals[0].source?.queries.value).toBe('rate(x[5m])');
    expect(onRunQuery).not.toHaveBeenCalled();
    fireEvent.blur(expr);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('sets and clears a per-signal upstream data source', () => {
    const { query } = setup({ id: 'x', signals: [signal('a')] });
    const picker = within(section('a')).getByLabelText(/^Data source/);
    expect(
      within(picker)
        .getAllByRole('option')
        .map((o) => o.textContent)
    ).toEqual(['Default (Prometheus)', 'Prometheus A', 'Prometheus B', 'Loki A']);
    fireEvent.change(picker, { target: { value: 'loki-a' } });
    expect(query().spec.signals[0].source).toEqual({
      datasource: { uid: 'loki-a', type: 'loki' },
      queries: { value: 'metric_a' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Use the default data source for signal a' }));
    expect(query().spec.signals[0].source).toEqual({ queries: { value: 'metric_a' } });
  });

  it('sends a signal to the default Loki ({ type: loki } without uid)', () => {
    const { query } = setup({ id: 'x', signals: [signal('a')] });
    fireEvent.click(screen.getByRole('button', { name: 'Use the default Loki data source for signal a' }));
    expect(query().spec.signals[0].source).toEqual({ datasource: { type: 'loki' }, queries: { value: 'metric_a' } });
    expect(validateSpec(query().spec).errors).toEqual([]);
    expect(within(section('a')).getByLabelText(/^Data source/)).toHaveAccessibleName(/now default Loki/);
  });

  it('edits entity labels, format and history', () => {
    const { query, onRunQuery } = setup();
    const entity = screen.getByLabelText(/^Entity labels/);
    fireEvent.change(entity, { target: { value: 'endpoint' } });
    fireEvent.keyDown(entity, { key: 'Enter' });
    expect(query().spec.entity).toEqual(['model', 'version', 'endpoint']);

    fireEvent.click(screen.getByRole('radio', { name: 'Triage table' }));
    expect(query().format).toBe('triage');

    const history = screen.getByLabelText(/^History/);
    fireEvent.change(history, { target: { value: 'two days' } });
    fireEvent.blur(history);
    expect(query().history).toBe('two days');
    expect(history).toHaveAccessibleDescription(/must be a duration/);
    expect(onRunQuery).toHaveBeenCalledTimes(3);
  });
});

describe('QueryEditor: import / export', () => {
  const openImport = () => fireEvent.click(screen.getByRole('button', { name: 'Import spec' }));

  it('imports valid YAML, replacing the spec with what was written', () => {
    const { query, onRunQuery } = setup();
    openImport();
    const yaml = [
      'id: imported',
      'entity: [service]',
      'signals:',
      '  - id: errors',
      '    kind: ratio',
      '    params: { window: 10m }',
      '    source:',
      '      queries: { numerator: errs, denominator: reqs }',
      '',
    ].join('\n');
    fireEvent.change(screen.getByLabelText(/^Spec \(YAML or JSON\)/), { target: { value: yaml } });
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect(query().spec).toEqual({
      id: 'imported',
      entity: ['service'],
      signals: [
        {
          id: 'errors',
          kind: 'ratio',
          params: { window: '10m' },
          source: { queries: { numerator: 'errs', denominator: 'reqs' } },
        },
      ],
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByLabelText(/^Spec \(YAML or JSON\)/)).not.toBeInTheDocument();
  });

  it('shows line and column of a YAML syntax error and keeps the query', () => {
    const { onChange } = setup();
    openImport();
    fireEvent.change(screen.getByLabelText(/^Spec \(YAML or JSON\)/), {
      target: { value: 'id: x\nsignals:\n  - id: a\n    kind: [robust_z\n' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect(screen.getByTestId('anomalyscore-import-errors')).toHaveTextContent(/line \d+, column \d+/);
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.getByLabelText(/^Spec \(YAML or JSON\)/)).toBeInTheDocument();
  });

  it('shows where a valid-YAML but invalid spec is wrong and keeps the query', () => {
    const { onChange } = setup();
    openImport();
    fireEvent.change(screen.getByLabelText(/^Spec \(YAML or JSON\)/), {
      target: { value: 'id: x\nsignals:\n  - id: a\n    kind: robust_z\n    params:\n      window: soon\n' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect(screen.getByTestId('anomalyscore-import-errors')).toHaveTextContent(
      /line 6, column \d+: signals\[0\]\.params\.window: must be a duration/
    );
    expect(onChange).not.toHaveBeenCalled();
  });

  it.each(['YAML', 'JSON'])('exports %s that parseSpec reads back as the same spec', (format) => {
    const settings: AnomalyDataSourceOptions = {
      tiers: { cuts: { watch: 30 }, playbook: { critical: { action: 'page', owner: 'ml-oncall' } } },
      context: [{ id: 'regulated', match: { model: '/credit-.*/' }, floor: 'review' }],
    };
    setup(baseSpec(), settings);
    fireEvent.click(screen.getByRole('button', { name: 'Export spec' }));
    if (format === 'JSON') {
      fireEvent.click(screen.getByRole('radio', { name: 'JSON' }));
    }
    const text = (within(screen.getByRole('dialog')).getByLabelText(/^Spec/) as HTMLTextAreaElement).value;
    if (format === 'JSON') {
      expect(() => JSON.parse(text)).not.toThrow();
    }
    const expected = validateSpec({ ...baseSpec(), tiers: settings.tiers, context: settings.context });
    expect(expected.ok).toBe(true);
    const back = parseSpec(text);
    expect(back.errors).toEqual([]);
    expect(back.spec).toEqual(expected.spec);
    expect(back.spec?.tiers.cuts.watch).toBe(30);
    expect(screen.getByRole('button', { name: /Copy to clipboard/ })).toBeInTheDocument();
  });
});
