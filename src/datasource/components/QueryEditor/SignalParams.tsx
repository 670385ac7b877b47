import React from 'react';
import { Field, useStyles2 } from '@grafana/ui';
import { kindInfo } from '../../../scoring/spec';
import type { SignalSpecInput } from '../../../scoring/spec';
import { CommitInput } from '../shared/CommitInput';
import { ErrorIndex, fieldError } from '../shared/errors';
import { getItemStyles } from '../shared/styles';
import { fieldDomId, textToValue, valueToText } from '../shared/values';
import { setParam } from './specOps';

export interface SignalParamsProps {
  signal: SignalSpecInput;
  /** Spec path of the signal, e.g. `signals[2]`. */
  path: string;
  idPrefix: string;
  errors: ErrorIndex;
  onChange: (signal: SignalSpecInput, run: boolean) => void;
}

/**
 * The kind's parameters: empty means "use the default", shown as the placeholder; the per-param
 * help is the field's description. Params the kind does not know (from an import) are listed too,
 * so their error shows at a field and they can be cleared.
 */
export function SignalParams({ signal, path, idPrefix, errors, onChange }: SignalParamsProps) {
  const styles = useStyles2(getItemStyles);
  const info = kindInfo(signal.kind);
  const defaults: Record<string, unknown> = info ? { ...info.defaults } : {};
  const help = info?.help.params ?? {};
  const given = signal.params ?? {};
  const names = [...Object.keys(defaults), ...Object.keys(given).filter((n) => !(n in defaults))];
  if (names.length === 0) {
    return null;
  }
  return (
    <>
      <h4 className={styles.subheading}>Parameters</h4>
      <div className={styles.grid}>
        {names.map((name) => {
          const paramPath = `${path}.params.${name}`;
          const known = name in defaults;
          const fallback = valueToText(defaults[name]);
          return (
            <Field
              key={name}
              label={name}
              description={known ? help[name] : 'not a parameter of this kind'}
              {...fieldError(errors.at(paramPath))}
            >
              <CommitInput
                id={fieldDomId(idPrefix, paramPath)}
                value={valueToText(given[name])}
                placeholder={known ? (fallback === 'null' ? 'not set' : fallback) : ''}
                onCommit={(text) => onChange(setParam(signal, name, textToValue(text)), true)}
              />
            </Field>
          );
        })}
      </div>
    </>
  );
}
