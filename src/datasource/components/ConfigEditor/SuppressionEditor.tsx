import React from 'react';
import { Button, Field, IconButton, Stack } from '@grafana/ui';
import type { TimeWindow } from '../../../scoring/spec';
import { CommitInput } from '../shared/CommitInput';
import { ErrorIndex, fieldError } from '../shared/errors';
import { fieldDomId, textToValue, valueToText } from '../shared/values';

export interface SuppressionEditorProps {
  windows: TimeWindow[] | undefined;
  path: string;
  ruleLabel: string;
  idPrefix: string;
  errors: ErrorIndex;
  onChange: (windows: TimeWindow[] | undefined) => void;
}

/** Maintenance windows: from / to as ISO-8601 date-times or epoch milliseconds. */
export function SuppressionEditor({
  windows = [],
  path,
  ruleLabel,
  idPrefix,
  errors,
  onChange,
}: SuppressionEditorProps) {
  const setAt = (i: number, key: keyof TimeWindow, text: string) =>
    onChange(windows.map((w, j) => (j === i ? { ...w, [key]: textToValue(text) as TimeWindow['from'] } : w)));
  return (
    <Field
      label="Suppression windows"
      description="while inside a window the tier is capped at ok (the score is still computed)"
      useFieldset
      {...fieldError(errors.at(path))}
    >
      <>
        <Stack direction="column" gap={0.5}>
          {windows.map((w, i) => (
            <Stack key={i} direction="row" gap={0.5} alignItems="flex-start" wrap="wrap">
              {(['from', 'to'] as const).map((key) => {
                const p = `${path}[${i}].${key}`;
                return (
                  <Field key={key} noMargin {...fieldError(errors.at(p))}>
                    <CommitInput
                      id={fieldDomId(idPrefix, p)}
                      aria-label={`${key === 'from' ? 'Start' : 'End'} of window ${i + 1} of ${ruleLabel}`}
                      width={28}
                      value={valueToText(w[key])}
                      placeholder={key === 'from' ? '2025-01-01T02:00:00Z' : '2025-01-01T04:00:00Z'}
                      onCommit={(text) => setAt(i, key, text)}
                    />
                  </Field>
                );
              })}
              <IconButton
                name="times"
                aria-label={`Remove window ${i + 1} of ${ruleLabel}`}
                onClick={() => {
                  const next = windows.filter((_, j) => j !== i);
                  onChange(next.length > 0 ? next : undefined);
                }}
              />
            </Stack>
          ))}
          <div>
            <Button
              size="sm"
              variant="secondary"
              icon="plus"
              onClick={() => onChange([...windows, { from: '', to: '' }])}
            >
              Add window
            </Button>
          </div>
        </Stack>
      </>
    </Field>
  );
}
