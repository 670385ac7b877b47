import React, { useCallback, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, PanelProps, SelectableValue } from '@grafana/data';
import { PanelDataErrorView } from '@grafana/runtime';
import { Combobox, ErrorBoundaryAlert, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import { annotationsForEntity, annotationsFromFrames } from '../data/annotations';
import { entityRow, queueRows } from '../data/entities';
import { indexAtTime, scoreFrameViews } from '../data/frames';
import { DEFAULT_OPTIONS, EntityRow, PanelOptions, TIER_NAMES } from '../types';
import { DrillDown } from './DrillDown/DrillDown';
import { ScoreTimeline } from './ScoreTimeline/ScoreTimeline';
import { TriageQueue } from './TriageQueue/TriageQueue';

type Props = PanelProps<PanelOptions>;

const TOP_N = 10;
type TimelineMode = 'entity' | 'top';
const TIMELINE_MODES: Array<SelectableValue<TimelineMode>> = [
  { value: 'entity', label: 'Selected' },
  { value: 'top', label: `Top ${TOP_N}` },
];

export function AnomalyPanel({
  data,
  options,
  fieldConfig,
  id,
  width,
  height,
  timeRange,
  timeZone,
  onChangeTimeRange,
}: Props) {
  const styles = useStyles2(getStyles);
  const sortBy = options.sortBy ?? DEFAULT_OPTIONS.sortBy;
  const maxEntities = options.maxEntities ?? DEFAULT_OPTIONS.maxEntities;
  const layout = options.layout ?? DEFAULT_OPTIONS.layout;
  const tiersShown = options.tiersShown && options.tiersShown.length > 0 ? options.tiersShown : TIER_NAMES;

  const views = useMemo(() => scoreFrameViews(data.series), [data.series]);
  const rows = useMemo(() => views.map(entityRow), [views]);
  const ranked = useMemo(
    () => queueRows(rows, sortBy, { tiers: tiersShown.length === TIER_NAMES.length ? [] : tiersShown }, maxEntities),
    [rows, sortBy, tiersShown, maxEntities]
  );
  const annotations = useMemo(() => annotationsFromFrames(data.annotations), [data.annotations]);

  const [selectedKey, setSelectedKey] = useState<string | undefined>();
  const [selectedTime, setSelectedTime] = useState<number | undefined>();
  const [timelineMode, setTimelineMode] = useState<TimelineMode>('entity');
  const timelineRef = useRef<HTMLDivElement>(null);

  const selectedRow = rows.find((r) => r.key === selectedKey) ?? ranked[0];
  const view = selectedRow ? views.find((v) => v.index === selectedRow.frameIndex) : undefined;
  const onSelect = useCallback((row: EntityRow) => {
    setSelectedKey(row.key);
    setSelectedTime(undefined);
    setTimelineMode('entity');
  }, []);
  const entityAnnotations = useMemo(
    () => (view ? annotationsForEntity(annotations, view.labels) : annotations),
    [annotations, view]
  );
  const timelineViews = useMemo(() => {
    if (timelineMode === 'top') {
      const byIndex = new Map(views.map((v) => [v.index, v]));
      return ranked.slice(0, TOP_N).flatMap((r) => byIndex.get(r.frameIndex) ?? []);
    }
    return view ? [view] : [];
  }, [timelineMode, ranked, views, view]);

  if (rows.length === 0) {
    return (
      <PanelDataErrorView
        panelId={id}
        fieldConfig={fieldConfig}
        data={data}
        message="No anomaly scores in this panel's data: query the Anomaly Score data source."
      />
    );
  }

  const range = data.timeRange ?? timeRange;
  const from = range.from.valueOf();
  const to = range.to.valueOf();
  const index = view ? indexAtTime(view, selectedTime) : -1;

  const showQueue = layout !== 'detail';
  const showDetail = layout !== 'queue';
  const sideBySide = showQueue && showDetail && width >= 640;
  const queueWidth = !showDetail ? width : sideBySide ? Math.min(520, Math.max(280, Math.round(width * 0.4))) : width;
  const queueHeight = !showDetail ? height : sideBySide ? height : Math.round(height * 0.4);
  const detailWidth = !showQueue ? width : sideBySide ? width - queueWidth - 8 : width;
  const detailHeight = !showQueue ? height : sideBySide ? height : height - queueHeight - 8;
  const pickerHeight = 32;
  const timelineHeight = Math.round(Math.min(280, Math.max(140, detailHeight * 0.38)));

  return (
    <div className={styles.root} style={{ width, height, flexDirection: sideBySide ? 'row' : 'column' }}>
      {showQueue && (
        <div style={{ width: queueWidth, height: queueHeight, flex: 'none' }}>
          <TriageQueue
            rows={rows}
            views={views}
            sortBy={sortBy}
            maxEntities={maxEntities}
            tiersShown={tiersShown}
            selectedKey={selectedRow?.key}
            onSelect={onSelect}
            width={queueWidth}
            height={queueHeight}
          />
        </div>
      )}
      {showDetail && view && (
        <div
          className={styles.detail}
          style={{ width: detailWidth, height: detailHeight }}
          data-testid="anomalyscore-detail"
        >
          <div className={styles.toolbar} style={{ height: pickerHeight }}>
            {!showQueue && (
              <Combobox
                placeholder="Entity"
                width={40}
                data-testid="anomalyscore-entity-picker"
                value={selectedRow?.key ?? null}
                options={ranked.map((r) => ({
                  value: r.key,
                  label: `${r.tier ?? '–'} ${Number.isFinite(r.current) ? r.current.toFixed(0) : '–'} ${r.key}`,
                }))}
                onChange={(v) => {
                  const row = rows.find((r) => r.key === v.value);
                  if (row) {
                    onSelect(row);
                  }
                }}
              />
            )}
            <RadioButtonGroup size="sm" options={TIMELINE_MODES} value={timelineMode} onChange={setTimelineMode} />
          </div>
          <div ref={timelineRef} data-testid="anomalyscore-timeline" style={{ height: timelineHeight }}>
            <ErrorBoundaryAlert style="alertbox">
              <ScoreTimeline
                views={timelineViews}
                width={detailWidth}
                height={timelineHeight}
                timeRange={range}
                timeZone={timeZone}
                annotations={timelineMode === 'entity' ? entityAnnotations : annotations}
                selectedTime={selectedTime}
                onSelectTime={setSelectedTime}
                onChangeTimeRange={onChangeTimeRange}
              />
            </ErrorBoundaryAlert>
          </div>
          <div className={styles.drill} style={{ height: detailHeight - timelineHeight - pickerHeight }}>
            <DrillDown
              view={view}
              index={index}
              pinned={selectedTime !== undefined}
              annotations={annotations}
              from={from}
              to={to}
              panelId={id}
              timeZone={timeZone}
              getTimeline={() => timelineRef.current}
            />
          </div>
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ display: 'flex', gap: theme.spacing(1), overflow: 'hidden' }),
  detail: css({ display: 'flex', flexDirection: 'column', minWidth: 0 }),
  toolbar: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', justifyContent: 'flex-end' }),
  drill: css({ overflowY: 'auto' }),
});
