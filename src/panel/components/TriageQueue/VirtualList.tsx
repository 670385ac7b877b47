import React, { useCallback, useEffect, useRef, useState } from 'react';

interface Props {
  itemCount: number;
  itemHeight: number;
  height: number;
  /** Extra rows rendered above and below the viewport. */
  overscan?: number;
  /** Keep this index in view (scrolls when it changes). */
  scrollToIndex?: number;
  className?: string;
  renderItem: (index: number, style: React.CSSProperties) => React.ReactNode;
  /** Props for the scrolling element (role, aria-*). */
  containerProps?: React.HTMLAttributes<HTMLDivElement>;
}

/**
 * A fixed-row-height windowed list: only the rows in (and near) the viewport are in the DOM, so
 * thousands of entities scroll smoothly. (react-window 1.8 ships inside @grafana/ui but without
 * types; this is the 60 lines of it the queue needs, with no new dependency.)
 */
export function VirtualList({
  itemCount,
  itemHeight,
  height,
  overscan = 6,
  scrollToIndex,
  className,
  renderItem,
  containerProps,
}: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const onScroll = useCallback((e: React.UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop), []);

  useEffect(() => {
    const el = ref.current;
    if (!el || scrollToIndex === undefined || scrollToIndex < 0) {
      return;
    }
    const top = scrollToIndex * itemHeight;
    if (top < el.scrollTop) {
      el.scrollTop = top;
      setScrollTop(top);
    } else if (top + itemHeight > el.scrollTop + height) {
      el.scrollTop = top + itemHeight - height;
      setScrollTop(el.scrollTop);
    }
  }, [scrollToIndex, itemHeight, height]);

  const viewport = Math.max(height, itemHeight);
  const first = Math.max(0, Math.floor(scrollTop / itemHeight) - overscan);
  const last = Math.min(itemCount - 1, Math.ceil((scrollTop + viewport) / itemHeight) + overscan);
  const items: React.ReactNode[] = [];
  for (let i = first; i <= last; i++) {
    items.push(renderItem(i, { position: 'absolute', top: i * itemHeight, left: 0, right: 0, height: itemHeight }));
  }
  return (
    <div
      ref={ref}
      className={className}
      style={{ height, overflowY: 'auto', position: 'relative' }}
      onScroll={onScroll}
      {...containerProps}
    >
      <div style={{ height: itemCount * itemHeight, position: 'relative' }}>{items}</div>
    </div>
  );
}
