/**
 * Test doubles for Grafana services that do not exist under jsdom.
 *
 * `DataSourcePicker` needs Grafana's runtime (the data source service); tests replace it, as
 * Grafana's own plugin tests do, with a plain <select> over a fixed list, honouring the
 * `pluginId` / `type` filter:
 *
 *   jest.mock('@grafana/runtime', () => ({
 *     ...jest.requireActual('@grafana/runtime'),
 *     DataSourcePicker: (p: object) => require('../testing/grafanaMocks').MockDataSourcePicker(p),
 *   }));
 */
import React from 'react';

export const TEST_DATASOURCES = [
  { uid: 'prom-a', name: 'Prometheus A', type: 'prometheus' },
  { uid: 'prom-b', name: 'Prometheus B', type: 'prometheus' },
  { uid: 'loki-a', name: 'Loki A', type: 'loki' },
  { uid: 'tempo', name: 'Tempo', type: 'tempo' },
];

interface PickerProps {
  inputId?: string;
  pluginId?: string;
  type?: string | string[];
  current?: string | { uid?: string } | null;
  placeholder?: string;
  onChange: (ds: { uid: string; name: string; type: string }) => void;
}

export function MockDataSourcePicker({ inputId, pluginId, type, current, placeholder, onChange }: PickerProps) {
  const types = pluginId ? [pluginId] : type === undefined ? undefined : Array.isArray(type) ? type : [type];
  const options = TEST_DATASOURCES.filter((ds) => !types || types.includes(ds.type));
  const value = typeof current === 'string' ? current : (current?.uid ?? '');
  return (
    <select
      id={inputId}
      data-testid={`ds-picker-${inputId ?? ''}`}
      value={value}
      onChange={(e) => {
        const ds = options.find((o) => o.uid === e.currentTarget.value);
        if (ds) {
          onChange(ds);
        }
      }}
    >
      <option value="">{placeholder ?? 'Select a data source'}</option>
      {options.map((o) => (
        <option key={o.uid} value={o.uid}>
          {o.name}
        </option>
      ))}
    </select>
  );
}

/** What jsdom lacks for @grafana/ui's Combobox (text measuring, observers). */
export function installDomPolyfills(): void {
  Object.defineProperty(HTMLCanvasElement.prototype, 'getContext', {
    configurable: true,
    value: () => ({
      measureText: (t: string) => ({ width: t.length * 8, actualBoundingBoxAscent: 10, actualBoundingBoxDescent: 2 }),
    }),
  });
  class NoopObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  }
  Object.assign(globalThis, { IntersectionObserver: NoopObserver, ResizeObserver: NoopObserver });
  // Give elements a size so the Combobox's virtualised option list renders its options.
  for (const prop of ['offsetHeight', 'offsetWidth', 'clientHeight', 'clientWidth']) {
    Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => 400 });
  }
}
