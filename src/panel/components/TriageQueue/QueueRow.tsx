import React, { useEffect, useRef } from 'react';
import { cx } from '@emotion/css';
import { Field, FieldType } from '@grafana/data';
import { GraphGradientMode } from '@grafana/schema';
import { Sparkline, useTheme2 } from '@grafana/ui';
import { formatDuration } from '../../data/entities';
import { scoreThresholds } from '../../data/tiers';
import { ScoreFrameView } from '../../data/frames';
import { EntityRow } from '../../types';
import { TierBadge } from './TierBadge';
import type { QueueStyles } from './styles';

interface Props {
  row: EntityRow;
  view: ScoreFrameView | undefined;
  index: number;
  style: React.CSSProperties;
  selected: boolean;
  focused: boolean;
  styles: QueueStyles;
  sparklineWidth: number;
  onSelect: (row: EntityRow) => void;
  onKeyDown: (e: React.KeyboardEvent, index: number) => void;
  onFocusRow: (index: number) => void;
  /** Increases on each keyboard move: the focused row then takes DOM focus (once mounted). */
  focusRequest: number;
}

function sparklineOf(view: ScoreFrameView): { x?: Field; y: Field } {
  const y: Field = {
    ...view.score,
    type: FieldType.number,
    state: { ...(view.score.state ?? {}), range: { min: 0, max: 100, delta: 100 } },
  };
  return view.time ? { x: view.time, y } : { y };
}

function score(x: number): string {
  return Number.isFinite(x) ? x.toFixed(0) : '–';
}

export function QueueRow(props: Props) {
  const {
    row,
    view,
    index,
    style,
    selected,
    focused,
    styles,
    sparklineWidth,
    onSelect,
    onKeyDown,
    onFocusRow,
    focusRequest,
  } = props;
  const theme = useTheme2();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || !focused || focusRequest === 0) {
      return;
    }
    const active = document.activeElement;
    if (!active || active === document.body || el.closest('[role="listbox"]')?.contains(active)) {
      el.focus();
    }
  }, [focused, focusRequest]);
  return (
    <div
      ref={ref}
      role="option"
      aria-selected={selected}
      tabIndex={focused ? 0 : -1}
      data-testid="anomalyscore-entity"
      data-entity={row.key}
      data-index={index}
      className={cx(styles.row, selected && styles.selected)}
      style={style}
      onClick={() => {
        onFocusRow(index);
        onSelect(row);
      }}
      onKeyDown={(e) => onKeyDown(e, index)}
      onFocus={() => onFocusRow(index)}
    >
      <TierBadge tier={row.tier} tierField={view?.tier} />
      <span className={styles.name} title={row.key}>
        {row.key}
      </span>
      <span className={styles.spark}>
        {view && sparklineWidth > 0 && (
          <Sparkline
            theme={theme}
            width={sparklineWidth}
            height={22}
            sparkline={sparklineOf(view)}
            config={{
              ...view.score.config,
              thresholds: scoreThresholds(view.score.config, view.meta.tierCuts),
              custom: { lineWidth: 1, fillOpacity: 10, gradientMode: GraphGradientMode.Scheme },
            }}
          />
        )}
      </span>
      <span className={styles.score} data-testid="anomalyscore-entity-score">
        {score(row.current)}
        <span className={styles.peak}> / {score(row.peak)}</span>
      </span>
      <span className={styles.meta}>
        <span title="Top contributing signal">{row.topContributor ? row.topContributor.name : '—'}</span>
        <span title="Time in the current tier">{row.tier ? formatDuration(row.lastTime - row.since) : ''}</span>
        <span className={styles.action} title={row.action}>
          {row.action ?? ''}
        </span>
      </span>
    </div>
  );
}
