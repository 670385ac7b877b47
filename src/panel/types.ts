export const TIER_NAMES = ['ok', 'watch', 'review', 'critical'] as const;
export type TierName = (typeof TIER_NAMES)[number];

export type SortKey = 'current' | 'peak';

/** What the panel shows: the queue beside the detail (timeline + drill-down), or one of them. */
export type PanelLayout = 'split' | 'queue' | 'detail';

export interface PanelOptions {
  sortBy: SortKey;
  maxEntities: number;
  /** Tiers listed in the queue (empty or absent: all). */
  tiersShown?: TierName[];
  layout?: PanelLayout;
}

export const DEFAULT_OPTIONS: Required<PanelOptions> = {
  sortBy: 'current',
  maxEntities: 1000,
  tiersShown: ['ok', 'watch', 'review', 'critical'],
  layout: 'split',
};

/** One entity as the triage queue shows it, read from the data source's frames. */
export interface EntityRow {
  key: string;
  labels: Record<string, string>;
  /** Index of the entity's frame in `data.series`. */
  frameIndex: number;
  current: number;
  peak: number;
  /** Time of the peak score (NaN when no score). */
  peakTime: number;
  tier: TierName | undefined;
  /** Start of the run of the current tier (time of its first point), NaN when unknown. */
  since: number;
  /** Time of the latest point. */
  lastTime: number;
  /** The largest contribution at the latest point. */
  topContributor?: { id: string; name: string; value: number };
  /** Recommended action for the current tier (meta.custom.current or the spec's playbook). */
  action?: string;
}

/** Row filters of the queue. */
export interface EntityFilter {
  tiers?: readonly TierName[];
  /** Case-insensitive text matched against the entity key and label values. */
  text?: string;
}

export type FeedbackKind = 'acknowledged' | 'escalated' | 'confirmed' | 'false-alarm';

export const FEEDBACK_KINDS: ReadonlyArray<{ kind: FeedbackKind; label: string }> = [
  { kind: 'acknowledged', label: 'Acknowledge' },
  { kind: 'escalated', label: 'Escalate' },
  { kind: 'confirmed', label: 'Confirmed incident' },
  { kind: 'false-alarm', label: 'False alarm' },
];

/** A Grafana annotation as read from `data.annotations` frames. */
export interface AnnotationItem {
  time: number;
  timeEnd?: number;
  title?: string;
  text: string;
  tags: string[];
  color?: string;
}
