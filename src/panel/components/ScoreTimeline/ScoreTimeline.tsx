import React, { useMemo } from 'react';
import type { TimeZone } from '@grafana/schema';
import {
  AbsoluteTimeRange,
  applyFieldOverrides,
  DataFrame,
  dateTimeFormat,
  Field,
  FieldColorModeId,
  FieldConfig,
  FieldType,
  TimeRange,
} from '@grafana/data';
import {
  GraphDrawStyle,
  GraphGradientMode,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LineInterpolation,
  VisibilityMode,
} from '@grafana/schema';
import { TimeSeries, TooltipPlugin2, useTheme2 } from '@grafana/ui';
import { fieldByName, ScoreFrameView } from '../../data/frames';
import { scoreThresholds } from '../../data/tiers';
import { AnnotationItem } from '../../types';
import { TimelineOverlay } from './TimelineOverlay';

interface Props {
  views: ScoreFrameView[];
  width: number;
  height: number;
  timeRange: TimeRange;
  timeZone: TimeZone;
  annotations: AnnotationItem[];
  selectedTime: number | undefined;
  onSelectTime: (t: number) => void;
  onChangeTimeRange: (range: AbsoluteTimeRange) => void;
}

function scoreField(view: ScoreFrameView, withBands: boolean, name: string): Field {
  const base = view.score.config;
  const config: FieldConfig = {
    ...base,
    displayName: name,
    min: 0,
    max: 100,
    thresholds: scoreThresholds(base, view.meta.tierCuts),
    color: { mode: FieldColorModeId.Thresholds },
    custom: {
      drawStyle: GraphDrawStyle.Line,
      lineInterpolation: LineInterpolation.Linear,
      lineWidth: 2,
      fillOpacity: 0,
      gradientMode: GraphGradientMode.Scheme,
      showPoints: VisibilityMode.Never,
      spanNulls: true,
      thresholdsStyle: { mode: withBands ? GraphThresholdsStyleMode.Area : GraphThresholdsStyleMode.Off },
      hideFrom: { viz: false, legend: false, tooltip: false },
    },
  };
  return { name: 'score', type: FieldType.number, values: view.score.values, config, labels: view.labels };
}

function intervalField(view: ScoreFrameView, name: 'score:lower' | 'score:upper'): Field | undefined {
  const f = fieldByName(view.frame, name);
  if (!f) {
    return undefined;
  }
  return {
    name,
    type: FieldType.number,
    values: f.values,
    config: {
      displayName: name === 'score:lower' ? 'interval low' : 'interval high',
      min: 0,
      max: 100,
      color: { mode: FieldColorModeId.Fixed, fixedColor: 'text' },
      custom: {
        drawStyle: GraphDrawStyle.Line,
        lineWidth: 1,
        lineStyle: { fill: 'dash', dash: [4, 4] },
        fillOpacity: 0,
        showPoints: VisibilityMode.Never,
        spanNulls: true,
        hideFrom: { viz: false, legend: true, tooltip: false },
      },
    },
  };
}

/** The chart frames: score (tier bands from its thresholds) and, for one entity, its interval. */
export function timelineFrames(views: ScoreFrameView[]): DataFrame[] {
  const single = views.length === 1;
  return views
    .filter((v) => v.time)
    .map((v, i) => {
      const fields: Field[] = [
        { ...v.time!, name: 'Time', config: { ...v.time!.config } },
        scoreField(v, i === 0, single ? 'score' : v.key),
      ];
      if (single) {
        for (const name of ['score:lower', 'score:upper'] as const) {
          const f = intervalField(v, name);
          if (f) {
            fields.push(f);
          }
        }
      }
      return { name: v.key, refId: v.frame.refId, length: v.score.values.length, fields };
    });
}

/** Score over time with tier bands, annotations, drag-to-zoom (dashboard time) and click-to-select. */
export function ScoreTimeline({
  views,
  width,
  height,
  timeRange,
  timeZone,
  annotations,
  selectedTime,
  onSelectTime,
  onChangeTimeRange,
}: Props) {
  const theme = useTheme2();
  const frames = useMemo(
    () =>
      applyFieldOverrides({
        data: timelineFrames(views),
        fieldConfig: { defaults: {}, overrides: [] },
        replaceVariables: (s) => s,
        theme,
        timeZone,
      }),
    [views, theme, timeZone]
  );
  if (frames.length === 0 || width < 50 || height < 50) {
    return null;
  }
  return (
    <TimeSeries
      frames={frames}
      width={width}
      height={height}
      timeRange={timeRange}
      timeZone={timeZone}
      legend={{ showLegend: views.length > 1, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] }}
    >
      {(builder) => (
        <>
          <TimelineOverlay
            config={builder}
            annotations={annotations}
            selectedTime={selectedTime}
            onSelectTime={onSelectTime}
            theme={theme}
          />
          <TooltipPlugin2
            config={builder}
            hoverMode={0}
            queryZoom={onChangeTimeRange}
            render={(u, dataIdxs) => {
              const idx = dataIdxs.find((d) => d !== null);
              if (idx === null || idx === undefined) {
                return null;
              }
              const t = u.data[0][idx];
              const rows = u.series
                .slice(1)
                .map((s, i) => ({ label: String(s.label ?? ''), value: u.data[i + 1]?.[idx] }));
              return (
                <div
                  style={{
                    padding: 8,
                    background: theme.colors.background.primary,
                    border: `1px solid ${theme.colors.border.weak}`,
                  }}
                >
                  <div>{dateTimeFormat(t, { timeZone })}</div>
                  {rows
                    .filter((r) => typeof r.value === 'number')
                    .slice(0, 12)
                    .map((r) => (
                      <div key={r.label}>
                        {r.label}: {(r.value as number).toFixed(1)}
                      </div>
                    ))}
                  <div style={{ color: theme.colors.text.secondary }}>click to explain this point; drag to zoom</div>
                </div>
              );
            }}
          />
        </>
      )}
    </TimeSeries>
  );
}
