import React, { useState } from 'react';
import { Input } from '@grafana/ui';

type InputProps = React.ComponentProps<typeof Input>;

export interface CommitInputProps extends Omit<InputProps, 'value' | 'onChange' | 'onBlur' | 'defaultValue'> {
  value: string;
  /** Called with the text when the user leaves the field or presses Enter, if it changed. */
  onCommit: (text: string) => void;
}

/**
 * An input that keeps what the user types locally and commits on blur / Enter: numbers and
 * durations are only parsed (and the query only re-run) once the value is complete.
 * `invalid` and `aria-describedby` from a surrounding Field pass through.
 */
export function CommitInput({ value, onCommit, onKeyDown, ...rest }: CommitInputProps) {
  // While the user edits, the draft is shown; otherwise the value from props (which may change
  // under us: a reorder, an import, a kind change).
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const commit = () => {
    if (draft !== undefined && draft !== value) {
      onCommit(draft);
    }
    setDraft(undefined);
  };
  return (
    <Input
      {...rest}
      value={draft ?? value}
      onChange={(e) => setDraft(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          commit();
        }
        onKeyDown?.(e);
      }}
    />
  );
}
