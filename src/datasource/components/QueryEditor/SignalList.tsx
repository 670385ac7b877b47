import React, { useEffect, useRef } from 'react';
import { Button, FieldValidationMessage, Stack } from '@grafana/ui';
import type { ScoreSpecInput } from '../../../scoring/spec';
import { ErrorIndex } from '../shared/errors';
import { fieldDomId } from '../shared/values';
import { SignalEditor } from './SignalEditor';
import { addSignal, duplicateSignal, moveSignal, removeSignal, updateSignal } from './specOps';

export interface SignalListProps {
  spec: ScoreSpecInput;
  idPrefix: string;
  errors: ErrorIndex;
  onChange: (spec: ScoreSpecInput, run: boolean) => void;
  onBlur: () => void;
}

/** Where keyboard focus goes after a structural change (the element may only exist after render). */
type FocusTarget = string[];

function focusFirst(ids: FocusTarget) {
  for (const id of ids) {
    const el = document.getElementById(id);
    if (el && !(el as HTMLButtonElement).disabled) {
      el.focus();
      return;
    }
  }
}

export function SignalList({ spec, idPrefix, errors, onChange, onBlur }: SignalListProps) {
  const signals = spec.signals ?? [];
  // Set by a structural change; applied after the re-render that the change causes.
  const pendingFocus = useRef<FocusTarget | undefined>(undefined);
  useEffect(() => {
    if (pendingFocus.current) {
      focusFirst(pendingFocus.current);
      pendingFocus.current = undefined;
    }
  });
  const setFocusTarget = (target: FocusTarget) => {
    pendingFocus.current = target;
  };
  const signalId = (i: number) => fieldDomId(idPrefix, `signals[${i}]`);
  const idInput = (i: number) => fieldDomId(idPrefix, `signals[${i}].id`);
  const addId = `${idPrefix}-add-signal`;

  return (
    <div>
      {signals.map((signal, i) => (
        <SignalEditor
          // Index keys: signals have no stable identity (ids are editable and may collide);
          // every input is controlled, so a reorder re-renders the right values in place.
          key={i}
          signal={signal}
          index={i}
          count={signals.length}
          idPrefix={idPrefix}
          errors={errors}
          onBlur={onBlur}
          onChange={(next, run) => onChange(updateSignal(spec, i, next), run)}
          onMove={(delta) => {
            onChange(moveSignal(spec, i, delta), true);
            const first = delta < 0 ? 'up' : 'down';
            const other = delta < 0 ? 'down' : 'up';
            setFocusTarget([`${signalId(i + delta)}-${first}`, `${signalId(i + delta)}-${other}`]);
          }}
          onDuplicate={() => {
            onChange(duplicateSignal(spec, i), true);
            setFocusTarget([idInput(i + 1)]);
          }}
          onRemove={() => {
            onChange(removeSignal(spec, i), true);
            setFocusTarget([idInput(Math.min(i, signals.length - 2)), addId]);
          }}
        />
      ))}
      {errors.at('signals') && <FieldValidationMessage>{errors.at('signals')}</FieldValidationMessage>}
      <Stack direction="row" gap={1}>
        <Button
          id={addId}
          icon="plus"
          variant="secondary"
          onClick={() => {
            onChange(addSignal(spec), true);
            setFocusTarget([idInput(signals.length)]);
          }}
        >
          Add signal
        </Button>
      </Stack>
    </div>
  );
}
