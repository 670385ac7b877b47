import React from 'react';
import { cx } from '@emotion/css';
import {
  Combobox,
  ComboboxOption,
  Field,
  FieldValidationMessage,
  Input,
  RadioButtonGroup,
  useStyles2,
} from '@grafana/ui';
import { defaultDirection, kindInfo } from '../../../scoring/spec';
import type { SignalSpecInput } from '../../../scoring/spec';
import { Direction, SIGNAL_KINDS, SignalKind } from '../../../scoring/types';
import { CommitInput } from '../shared/CommitInput';
import { ErrorIndex, fieldError } from '../shared/errors';
import { ItemActions } from '../shared/ItemActions';
import { getItemStyles } from '../shared/styles';
import { fieldDomId, textToValue, valueToText } from '../shared/values';
import { SignalParams } from './SignalParams';
import { SignalSource } from './SignalSource';
import { changeKind } from './specOps';

const KIND_OPTIONS: Array<ComboboxOption<SignalKind>> = SIGNAL_KINDS.map((kind) => ({
  value: kind,
  label: kind,
  description: kindInfo(kind)?.help.kind,
}));

export interface SignalEditorProps {
  signal: SignalSpecInput;
  index: number;
  count: number;
  idPrefix: string;
  errors: ErrorIndex;
  /** `run`: the change is complete (structural or committed), so the query may run. */
  onChange: (signal: SignalSpecInput, run: boolean) => void;
  onBlur: () => void;
  onMove: (delta: -1 | 1) => void;
  onDuplicate: () => void;
  onRemove: () => void;
}

export function SignalEditor(props: SignalEditorProps) {
  const { signal, index, count, idPrefix, errors, onChange, onBlur } = props;
  const styles = useStyles2(getItemStyles);
  const path = `signals[${index}]`;
  const info = kindInfo(signal.kind);
  const directions = info?.directions ?? [];
  const ownErrors = errors.at(path);
  const itemLabel = `signal ${signal.id || index + 1}`;
  const headingId = fieldDomId(idPrefix, `${path}-heading`);
  const set = (patch: Partial<SignalSpecInput>, run: boolean) => onChange({ ...signal, ...patch }, run);

  return (
    <section className={cx(styles.item, errors.under(path) && styles.itemInvalid)} aria-labelledby={headingId}>
      <div className={styles.header}>
        <h3 id={headingId} className={styles.title}>
          {index + 1}. {signal.name || signal.id || 'unnamed signal'}{' '}
          <span className={styles.muted}>{signal.kind}</span>
        </h3>
        <ItemActions
          itemLabel={itemLabel}
          index={index}
          count={count}
          idPrefix={fieldDomId(idPrefix, path)}
          onMove={props.onMove}
          onDuplicate={props.onDuplicate}
          onRemove={props.onRemove}
        />
      </div>
      {ownErrors && <FieldValidationMessage>{ownErrors}</FieldValidationMessage>}
      <div className={styles.grid}>
        <Field label="Id" description="a-z, 0-9, _; used in field names" {...fieldError(errors.at(`${path}.id`))}>
          <Input
            id={fieldDomId(idPrefix, `${path}.id`)}
            value={signal.id}
            onChange={(e) => set({ id: e.currentTarget.value }, false)}
            onBlur={onBlur}
          />
        </Field>
        <Field label="Name" description="shown in explanations" {...fieldError(errors.at(`${path}.name`))}>
          <Input
            id={fieldDomId(idPrefix, `${path}.name`)}
            value={signal.name ?? ''}
            placeholder={signal.id}
            onChange={(e) => set({ name: e.currentTarget.value || undefined }, false)}
            onBlur={onBlur}
          />
        </Field>
        <Field label="Kind" description={info?.help.kind} {...fieldError(errors.at(`${path}.kind`))}>
          <Combobox<SignalKind>
            id={fieldDomId(idPrefix, `${path}.kind`)}
            options={KIND_OPTIONS}
            value={signal.kind}
            onChange={(option) => onChange(changeKind(signal, option.value), true)}
          />
        </Field>
        <Field
          label="Weight"
          description="multiplies this signal's evidence (> 0)"
          {...fieldError(errors.at(`${path}.weight`))}
        >
          <CommitInput
            id={fieldDomId(idPrefix, `${path}.weight`)}
            value={valueToText(signal.weight)}
            placeholder="1"
            onCommit={(text) => set({ weight: textToValue(text) as number | undefined }, true)}
          />
        </Field>
      </div>
      {directions.length > 0 && (
        <Field
          label="Direction"
          description={`which deviations count (default: ${defaultDirection(signal.kind)})`}
          {...fieldError(errors.at(`${path}.direction`))}
        >
          <RadioButtonGroup<Direction>
            id={fieldDomId(idPrefix, `${path}.direction`)}
            options={directions.map((d) => ({ value: d, label: d }))}
            value={signal.direction ?? defaultDirection(signal.kind)}
            onChange={(direction) => set({ direction }, true)}
          />
        </Field>
      )}
      <SignalSource
        signal={signal}
        path={path}
        idPrefix={idPrefix}
        errors={errors}
        onChange={onChange}
        onBlur={onBlur}
      />
      <SignalParams signal={signal} path={path} idPrefix={idPrefix} errors={errors} onChange={onChange} />
    </section>
  );
}
