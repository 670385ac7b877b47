import React from 'react';
import { useTheme2 } from '@grafana/ui';

interface Props {
  observed: ArrayLike<number>;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  /** Index of the explained point within the arrays. */
  mark: number;
  width: number;
  height: number;
}

/** Observed values against the expected band, as a small SVG (no canvas: crisp and testable). */
export function BandChart({ observed, lower, upper, mark, width, height }: Props) {
  const theme = useTheme2();
  const n = observed.length;
  let min = Infinity;
  let max = -Infinity;
  for (const arr of [observed, lower, upper]) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (Number.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
  }
  if (n < 2 || !Number.isFinite(min)) {
    return null;
  }
  const span = max - min || 1;
  const x = (i: number) => (i / (n - 1)) * (width - 2) + 1;
  const y = (v: number) => height - 1 - ((v - min) / span) * (height - 2);
  const segments = (values: ArrayLike<number>) => {
    let d = '';
    let pen = false;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (Number.isFinite(v)) {
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      } else {
        pen = false;
      }
    }
    return d;
  };
  let band = '';
  const top: string[] = [];
  const bottom: string[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(lower[i]) && Number.isFinite(upper[i])) {
      top.push(`${x(i).toFixed(1)},${y(upper[i]).toFixed(1)}`);
      bottom.unshift(`${x(i).toFixed(1)},${y(lower[i]).toFixed(1)}`);
    }
  }
  if (top.length > 1) {
    band = `M${top.join('L')}L${bottom.join('L')}Z`;
  }
  const markX = mark >= 0 && mark < n ? x(mark) : undefined;
  return (
    <svg
      width={width}
      height={height}
      role="img"
      aria-label="observed against the expected band"
      data-testid="anomalyscore-band-chart"
    >
      {band && <path d={band} fill={theme.colors.primary.transparent} stroke="none" />}
      <path d={segments(observed)} fill="none" stroke={theme.colors.text.primary} strokeWidth={1.25} />
      {markX !== undefined && (
        <line x1={markX} x2={markX} y1={0} y2={height} stroke={theme.colors.warning.main} strokeDasharray="2,2" />
      )}
    </svg>
  );
}
