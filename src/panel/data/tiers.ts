import { Field, FieldConfig, MappingType, ThresholdsConfig, ThresholdsMode } from '@grafana/data';
import { DEFAULT_CUTS, type TierCuts } from '../../scoring/tiers';
import { TierName } from '../types';

/** Grafana palette names used when the frame carries no value mappings. */
export const DEFAULT_TIER_COLORS: Record<TierName, string> = {
  ok: 'green',
  watch: 'yellow',
  review: 'orange',
  critical: 'red',
};

/** The tier's colour name from the tier field's value mappings (the data source sets them), else the default. */
export function tierColorName(tier: TierName, tierField?: Field): string {
  for (const m of tierField?.config.mappings ?? []) {
    if (m.type === MappingType.ValueToText) {
      const color = m.options[tier]?.color;
      if (color) {
        return color;
      }
    }
  }
  return DEFAULT_TIER_COLORS[tier];
}

/**
 * The score field's thresholds (the tier cut points the data source sets), else built from
 * meta.custom.tierCuts or the default cuts: charts colour by them and draw the tier bands.
 */
export function scoreThresholds(config: FieldConfig, cuts?: Partial<TierCuts>): ThresholdsConfig {
  if (config.thresholds && config.thresholds.steps.length > 0) {
    return config.thresholds;
  }
  const c = { ...DEFAULT_CUTS, ...(cuts ?? {}) };
  return {
    mode: ThresholdsMode.Absolute,
    steps: [
      { value: -Infinity, color: DEFAULT_TIER_COLORS.ok },
      { value: c.watch, color: DEFAULT_TIER_COLORS.watch },
      { value: c.review, color: DEFAULT_TIER_COLORS.review },
      { value: c.critical, color: DEFAULT_TIER_COLORS.critical },
    ],
  };
}
