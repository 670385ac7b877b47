/**
 * jsdom has no canvas, so uPlot-based charts cannot draw in jest. Component tests replace Grafana's
 * Sparkline and TimeSeries with stubs that record their props; the real charts run in the headless
 * Chromium suites (tests/browser/). Combobox measures text on a canvas too: a plain <select> stands in.
 */
import React from 'react';

export function chartMocks() {
  const actual = jest.requireActual('@grafana/ui');
  return {
    ...actual,
    Combobox: (props: {
      options: Array<{ value: string; label?: string }>;
      value: string | null;
      onChange: (o: { value: string }) => void;
    }) => (
      <select
        data-testid="combobox-stub"
        value={props.value ?? ''}
        onChange={(e) => props.onChange({ value: e.currentTarget.value })}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label ?? o.value}
          </option>
        ))}
      </select>
    ),
    Sparkline: () => <span data-testid="sparkline-stub" />,
    TimeSeries: (props: {
      frames: Array<{ fields: Array<{ name: string; config: { custom?: { thresholdsStyle?: { mode: string } } } }> }>;
    }) => (
      <div
        data-testid="timeseries-stub"
        data-frames={props.frames.length}
        data-threshold-mode={props.frames[0]?.fields[1]?.config.custom?.thresholdsStyle?.mode}
      />
    ),
  };
}
