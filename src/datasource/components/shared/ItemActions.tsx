import React from 'react';
import { IconButton, Stack } from '@grafana/ui';

export interface ItemActionsProps {
  /** What the item is called in labels, e.g. `signal latency_z`. */
  itemLabel: string;
  index: number;
  count: number;
  onMove?: (delta: -1 | 1) => void;
  onDuplicate?: () => void;
  onRemove: () => void;
  /** DOM id prefix so the list can put focus back on a button after the item moved. */
  idPrefix: string;
}

/**
 * Move up / move down / duplicate / remove: real buttons, usable with the keyboard. IconButton uses
 * the tooltip as the accessible name, so the tooltip names the item (`Move signal a up`).
 */
export function ItemActions({ itemLabel, index, count, onMove, onDuplicate, onRemove, idPrefix }: ItemActionsProps) {
  return (
    <Stack direction="row" gap={0.5}>
      {onMove && (
        <>
          <IconButton
            id={`${idPrefix}-up`}
            name="arrow-up"
            tooltip={`Move ${itemLabel} up`}
            disabled={index === 0}
            onClick={() => onMove(-1)}
          />
          <IconButton
            id={`${idPrefix}-down`}
            name="arrow-down"
            tooltip={`Move ${itemLabel} down`}
            disabled={index === count - 1}
            onClick={() => onMove(1)}
          />
        </>
      )}
      {onDuplicate && <IconButton name="copy" tooltip={`Duplicate ${itemLabel}`} onClick={onDuplicate} />}
      <IconButton name="trash-alt" tooltip={`Remove ${itemLabel}`} onClick={onRemove} />
    </Stack>
  );
}
