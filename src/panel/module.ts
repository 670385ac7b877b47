import { PanelPlugin } from '@grafana/data';
import { AnomalyPanel } from './components/AnomalyPanel';
import { PanelOptions } from './types';

export const plugin = new PanelPlugin<PanelOptions>(AnomalyPanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'sortBy',
      name: 'Sort by',
      description: 'Order of the triage queue',
      defaultValue: 'current',
      settings: {
        options: [
          { value: 'current', label: 'Current score' },
          { value: 'peak', label: 'Peak score' },
        ],
      },
    })
    .addNumberInput({
      path: 'maxEntities',
      name: 'Maximum entities',
      defaultValue: 1000,
      settings: { min: 1, integer: true },
    })
);
