export type SortKey = 'current' | 'peak';

export interface PanelOptions {
  sortBy: SortKey;
  maxEntities: number;
}

export const TIER_NAMES = ['ok', 'watch', 'review', 'critical'] as const;
export type TierName = (typeof TIER_NAMES)[number];

/** One entity as the triage queue shows it, read from the data source's frames. */
export interface EntityRow {
  key: string;
  labels: Record<string, string>;
  current: number;
  peak: number;
  tier: TierName | undefined;
}
