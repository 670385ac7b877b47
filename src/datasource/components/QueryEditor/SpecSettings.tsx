import React from 'react';
import { Field, Input, RadioButtonGroup, TagsInput, useStyles2 } from '@grafana/ui';
import type { ScoreSpecInput } from '../../../scoring/spec';
import type { CompositeMethod } from '../../../scoring/types';
import { CommitInput } from '../shared/CommitInput';
import { ErrorIndex, fieldError } from '../shared/errors';
import { getItemStyles } from '../shared/styles';
import { fieldDomId } from '../shared/values';

const METHODS: Array<{ label: string; value: CompositeMethod; description: string }> = [
  { label: 'Evidence', value: 'evidence', description: 'Independent evidence: one strong signal can carry the score' },
  { label: 'Weighted mean', value: 'weighted_mean', description: 'Weighted mean of severities' },
  { label: 'Max', value: 'max', description: 'The most severe signal' },
];

export interface SpecSettingsProps {
  spec: ScoreSpecInput;
  idPrefix: string;
  errors: ErrorIndex;
  onChange: (spec: ScoreSpecInput, run: boolean) => void;
  onBlur: () => void;
}

/** The spec's own fields: id, entity labels (the join key), step, composite method. */
export function SpecSettings({ spec, idPrefix, errors, onChange, onBlur }: SpecSettingsProps) {
  const styles = useStyles2(getItemStyles);
  return (
    <div className={styles.grid}>
      <Field
        label="Spec id"
        description="names the score in frames and compiled rules"
        {...fieldError(errors.at('id'))}
      >
        <Input
          id={fieldDomId(idPrefix, 'id')}
          value={spec.id ?? ''}
          placeholder="model-health"
          onChange={(e) => onChange({ ...spec, id: e.currentTarget.value }, false)}
          onBlur={onBlur}
        />
      </Field>
      <Field
        label="Entity labels"
        description="labels that identify an entity, e.g. model, version (the join key across signals)"
        {...fieldError(errors.under('entity'))}
      >
        <TagsInput
          id={fieldDomId(idPrefix, 'entity')}
          tags={spec.entity ?? []}
          placeholder="Add a label and press Enter"
          addOnBlur
          autoColors={false}
          onChange={(entity) => onChange({ ...spec, entity }, true)}
        />
      </Field>
      <Field label="Step" description="evaluation step; empty: the panel's interval" {...fieldError(errors.at('step'))}>
        <CommitInput
          id={fieldDomId(idPrefix, 'step')}
          value={spec.step ?? ''}
          placeholder="auto"
          onCommit={(text) => onChange({ ...spec, step: text.trim() || undefined }, true)}
        />
      </Field>
      <Field
        label="Composite"
        description="how signals combine into the score"
        {...fieldError(errors.under('composite'))}
      >
        <RadioButtonGroup<CompositeMethod>
          id={fieldDomId(idPrefix, 'composite.method')}
          options={METHODS}
          value={spec.composite?.method ?? 'evidence'}
          onChange={(method) => onChange({ ...spec, composite: { ...(spec.composite ?? {}), method } }, true)}
        />
      </Field>
    </div>
  );
}
