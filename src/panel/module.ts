import { PanelPlugin, SelectableValue } from '@grafana/data';
import { AnomalyPanel } from './components/AnomalyPanel';
import { DEFAULT_OPTIONS, PanelOptions, TIER_NAMES, TierName } from './types';

// The multi-select's option type is the path's value type (TierName[]); each option holds one tier.
const tierOptions = TIER_NAMES.map((t) => ({ value: t, label: t })) as unknown as Array<SelectableValue<TierName[]>>;

export const plugin = new PanelPlugin<PanelOptions>(AnomalyPanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'sortBy',
      name: 'Sort by',
      description: 'Order of the triage queue',
      defaultValue: DEFAULT_OPTIONS.sortBy,
      settings: {
        options: [
          { value: 'current', label: 'Current score' },
          { value: 'peak', label: 'Peak score' },
        ],
      },
    })
    .addMultiSelect({
      path: 'tiersShown',
      name: 'Tiers shown',
      description: 'Entities in these tiers are listed (none selected: all)',
      defaultValue: DEFAULT_OPTIONS.tiersShown,
      settings: { options: tierOptions },
    })
    .addNumberInput({
      path: 'maxEntities',
      name: 'Maximum entities',
      description: 'At most this many entities in the queue, most urgent first',
      defaultValue: DEFAULT_OPTIONS.maxEntities,
      settings: { min: 1, integer: true },
    })
    .addRadio({
      path: 'layout',
      name: 'Layout',
      defaultValue: DEFAULT_OPTIONS.layout,
      settings: {
        options: [
          { value: 'split', label: 'Queue + detail' },
          { value: 'queue', label: 'Queue only' },
          { value: 'detail', label: 'Detail only' },
        ],
      },
    })
);
