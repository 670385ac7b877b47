import { useEffect, useLayoutEffect, useRef } from 'react';
import type uPlot from 'uplot';
import { GrafanaTheme2 } from '@grafana/data';
import { UPlotConfigBuilder } from '@grafana/ui';
import { AnnotationItem } from '../../types';

interface Props {
  config: UPlotConfigBuilder;
  annotations: AnnotationItem[];
  selectedTime: number | undefined;
  onSelectTime: (t: number) => void;
  theme: GrafanaTheme2;
}

/** Colour of an annotation: its own, else feedback / tier events / others in distinct palette colours. */
function annotationColor(a: AnnotationItem, theme: GrafanaTheme2): string {
  if (a.color) {
    return theme.visualization.getColorByName(a.color);
  }
  if (a.tags.some((t) => t.startsWith('feedback:'))) {
    return theme.visualization.getColorByName('purple');
  }
  if (a.tags.includes('anomalyscore')) {
    return theme.visualization.getColorByName('orange');
  }
  return theme.visualization.getColorByName('blue');
}

/**
 * Draws Grafana annotations (markers and regions) and the selected time on the uPlot canvas, and
 * turns a click (not a drag: drags zoom) into a selected time. Hooks are added before the plot is
 * created (children of the chart run their layout effects first), as Grafana's own plugins do.
 */
export function TimelineOverlay({ config, annotations, selectedTime, onSelectTime, theme }: Props) {
  const latest = useRef({ annotations, selectedTime, onSelectTime, theme });
  useLayoutEffect(() => {
    latest.current = { annotations, selectedTime, onSelectTime, theme };
  });
  const plot = useRef<uPlot | null>(null);

  useLayoutEffect(() => {
    let down: { x: number; y: number } | null = null;
    config.addHook('init', (u) => {
      plot.current = u;
      u.over.addEventListener('mousedown', (e) => {
        down = { x: e.clientX, y: e.clientY };
      });
      u.over.addEventListener('click', (e) => {
        const moved = down ? Math.hypot(e.clientX - down.x, e.clientY - down.y) : 0;
        down = null;
        const idx = u.cursor.idx;
        if (moved > 3 || idx === null || idx === undefined) {
          return;
        }
        const t = u.data[0][idx];
        if (typeof t === 'number') {
          latest.current.onSelectTime(t);
        }
      });
    });
    config.addHook('draw', (u) => {
      const { annotations: items, selectedTime: selected, theme: th } = latest.current;
      const ctx = u.ctx;
      const { left, top, width, height } = u.bbox;
      const [min, max] = [u.scales.x.min ?? -Infinity, u.scales.x.max ?? Infinity];
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, width, height);
      ctx.clip();
      for (const a of items) {
        const end = a.timeEnd ?? a.time;
        if (end < min || a.time > max) {
          continue;
        }
        const color = annotationColor(a, th);
        const x0 = Math.round(u.valToPos(a.time, 'x', true));
        if (a.timeEnd !== undefined && a.timeEnd > a.time) {
          const x1 = Math.round(u.valToPos(a.timeEnd, 'x', true));
          ctx.globalAlpha = 0.12;
          ctx.fillStyle = color;
          ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
        }
        ctx.globalAlpha = 0.9;
        ctx.strokeStyle = color;
        ctx.lineWidth = 1;
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(x0 + 0.5, top);
        ctx.lineTo(x0 + 0.5, top + height);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.moveTo(x0 - 5, top + height);
        ctx.lineTo(x0 + 5, top + height);
        ctx.lineTo(x0, top + height - 7);
        ctx.fill();
      }
      if (selected !== undefined && selected >= min && selected <= max) {
        const x = Math.round(u.valToPos(selected, 'x', true));
        ctx.globalAlpha = 1;
        ctx.strokeStyle = th.colors.primary.main;
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
      }
      ctx.restore();
    });
  }, [config]);

  useEffect(() => {
    plot.current?.redraw(false, false);
  }, [annotations, selectedTime]);

  return null;
}
