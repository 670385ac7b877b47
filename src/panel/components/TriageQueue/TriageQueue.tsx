import React, { useCallback, useMemo, useState } from 'react';
import { Button, Input, useStyles2 } from '@grafana/ui';
import { queueRows } from '../../data/entities';
import { ScoreFrameView } from '../../data/frames';
import { EntityRow, SortKey, TIER_NAMES, TierName } from '../../types';
import { QueueRow } from './QueueRow';
import { getQueueStyles, ROW_HEIGHT } from './styles';
import { VirtualList } from './VirtualList';

interface Props {
  /** Every entity (unsorted, unfiltered). */
  rows: EntityRow[];
  views: ScoreFrameView[];
  sortBy: SortKey;
  maxEntities: number;
  /** Tiers the panel options allow (the filter buttons narrow further). */
  tiersShown: readonly TierName[];
  selectedKey: string | undefined;
  onSelect: (row: EntityRow) => void;
  width: number;
  height: number;
}

const FILTER_HEIGHT = 40;

/** The triage queue: tier and text filters over a virtualised, keyboard-navigable list of entities. */
export function TriageQueue({
  rows,
  views,
  sortBy,
  maxEntities,
  tiersShown,
  selectedKey,
  onSelect,
  width,
  height,
}: Props) {
  const styles = useStyles2(getQueueStyles);
  const [tiers, setTiers] = useState<TierName[]>([]);
  const [text, setText] = useState('');
  const [focusIndex, setFocusIndex] = useState(0);
  const [focusRequest, setFocusRequest] = useState(0);

  const allowed = useMemo(() => TIER_NAMES.filter((t) => tiersShown.includes(t)), [tiersShown]);
  const effectiveTiers = useMemo(
    () => (tiers.length > 0 ? tiers.filter((t) => allowed.includes(t)) : allowed),
    [tiers, allowed]
  );
  const shown = useMemo(
    () =>
      queueRows(
        rows,
        sortBy,
        { tiers: effectiveTiers.length === TIER_NAMES.length ? [] : effectiveTiers, text },
        maxEntities
      ),
    [rows, sortBy, effectiveTiers, text, maxEntities]
  );
  const viewByIndex = useMemo(() => new Map(views.map((v) => [v.index, v])), [views]);
  const listHeight = Math.max(ROW_HEIGHT, height - FILTER_HEIGHT);
  const pageSize = Math.max(1, Math.floor(listHeight / ROW_HEIGHT) - 1);
  const current = Math.min(focusIndex, Math.max(0, shown.length - 1));

  const toggleTier = (t: TierName) =>
    setTiers((prev) => (prev.includes(t) ? prev.filter((x) => x !== t) : [...prev, t]));

  const onKeyDown = useCallback(
    (e: React.KeyboardEvent, index: number) => {
      let next = index;
      switch (e.key) {
        case 'ArrowDown':
          next = index + 1;
          break;
        case 'ArrowUp':
          next = index - 1;
          break;
        case 'PageDown':
          next = index + pageSize;
          break;
        case 'PageUp':
          next = index - pageSize;
          break;
        case 'Home':
          next = 0;
          break;
        case 'End':
          next = shown.length - 1;
          break;
        case 'Enter':
        case ' ':
          e.preventDefault();
          if (shown[index]) {
            onSelect(shown[index]);
          }
          return;
        default:
          return;
      }
      e.preventDefault();
      setFocusIndex(Math.max(0, Math.min(shown.length - 1, next)));
      setFocusRequest((n) => n + 1);
    },
    [pageSize, shown, onSelect]
  );

  const sparklineWidth = width >= 420 ? 96 : width >= 320 ? 56 : 0;

  return (
    <div className={styles.root} data-testid="anomalyscore-queue">
      <div className={styles.filters} style={{ minHeight: FILTER_HEIGHT - 4 }}>
        {allowed.map((t) => (
          <Button
            key={t}
            size="sm"
            variant="secondary"
            fill={tiers.includes(t) ? 'solid' : 'outline'}
            aria-pressed={tiers.includes(t)}
            data-testid={`anomalyscore-tier-filter-${t}`}
            onClick={() => toggleTier(t)}
          >
            {t}
          </Button>
        ))}
        <Input
          width={20}
          placeholder="Filter labels"
          aria-label="Filter entities by label"
          data-testid="anomalyscore-filter-text"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        <span className={styles.count} data-testid="anomalyscore-count">
          {shown.length} of {rows.length}
        </span>
      </div>
      <VirtualList
        className={styles.list}
        itemCount={shown.length}
        itemHeight={ROW_HEIGHT}
        height={listHeight}
        scrollToIndex={focusRequest > 0 ? current : undefined}
        containerProps={{
          role: 'listbox',
          'aria-label': 'Entities by anomaly score',
          ...({ 'data-testid': 'anomalyscore-queue-list' } as object),
        }}
        renderItem={(i, style) => {
          const row = shown[i];
          return (
            <QueueRow
              key={row.key}
              row={row}
              view={viewByIndex.get(row.frameIndex)}
              index={i}
              style={style}
              selected={row.key === selectedKey}
              focused={i === current}
              focusRequest={focusRequest}
              styles={styles}
              sparklineWidth={sparklineWidth}
              onSelect={onSelect}
              onKeyDown={onKeyDown}
              onFocusRow={setFocusIndex}
            />
          );
        }}
      />
    </div>
  );
}
