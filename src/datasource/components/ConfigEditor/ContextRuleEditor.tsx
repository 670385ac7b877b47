import React from 'react';
import { cx } from '@emotion/css';
import { Field, FieldValidationMessage, InlineSwitch, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import type { ContextRule, ModelAgeRule } from '../../../scoring/spec';
import type { Tier } from '../../../scoring/types';
import { CommitInput } from '../shared/CommitInput';
import { ErrorIndex, fieldError } from '../shared/errors';
import { ItemActions } from '../shared/ItemActions';
import { getItemStyles } from '../shared/styles';
import { compact, fieldDomId, textToValue, valueToText } from '../shared/values';
import { MatchersEditor } from './MatchersEditor';
import { SuppressionEditor } from './SuppressionEditor';

const FLOORS: Array<{ label: string; value: Tier | 'none' }> = [
  { label: 'none', value: 'none' },
  { label: 'watch', value: 'watch' },
  { label: 'review', value: 'review' },
  { label: 'critical', value: 'critical' },
];

export interface ContextRuleEditorProps {
  rule: ContextRule;
  index: number;
  count: number;
  idPrefix: string;
  errors: ErrorIndex;
  onChange: (rule: ContextRule) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}

/** One context rule: which entities it matches and what it does to them. */
export function ContextRuleEditor({
  rule,
  index,
  count,
  idPrefix,
  errors,
  onChange,
  onMove,
  onRemove,
}: ContextRuleEditorProps) {
  const styles = useStyles2(getItemStyles);
  const path = `context[${index}]`;
  const ruleLabel = `rule ${rule.id || index + 1}`;
  const headingId = fieldDomId(idPrefix, `${path}-heading`);
  const set = (patch: Partial<ContextRule>) => onChange(compact({ ...rule, ...patch }));
  const age = rule.modelAge;
  const setAge = (patch: Partial<ModelAgeRule>) =>
    set({ modelAge: compact({ ...(age ?? { youngerThan: '', multiplier: 1 }), ...patch }) });
  const p = (sub: string) => `${path}.${sub}`;

  return (
    <section className={cx(styles.item, errors.under(path) && styles.itemInvalid)} aria-labelledby={headingId}>
      <div className={styles.header}>
        <h4 id={headingId} className={styles.title}>
          {index + 1}. {rule.id || 'unnamed rule'}{' '}
          {rule.description && <span className={styles.muted}>{rule.description}</span>}
        </h4>
        <ItemActions
          itemLabel={ruleLabel}
          index={index}
          count={count}
          idPrefix={fieldDomId(idPrefix, path)}
          onMove={onMove}
          onRemove={onRemove}
        />
      </div>
      {errors.at(path) && <FieldValidationMessage>{errors.at(path)}</FieldValidationMessage>}
      <div className={styles.grid}>
        <Field label="Rule id" {...fieldError(errors.at(p('id')))}>
          <Input
            id={fieldDomId(idPrefix, p('id'))}
            value={rule.id}
            onChange={(e) => set({ id: e.currentTarget.value })}
          />
        </Field>
        <Field label="Description" {...fieldError(errors.at(p('description')))}>
          <Input
            id={fieldDomId(idPrefix, p('description'))}
            value={rule.description ?? ''}
            placeholder="e.g. regulated credit models"
            onChange={(e) => set({ description: e.currentTarget.value || undefined })}
          />
        </Field>
        <Field
          label="Multiplier"
          description="evidence multiplier (>= 0; 2 = twice as sensitive)"
          {...fieldError(errors.at(p('multiplier')))}
        >
          <CommitInput
            id={fieldDomId(idPrefix, p('multiplier'))}
            value={valueToText(rule.multiplier)}
            placeholder="1"
            onCommit={(text) => set({ multiplier: textToValue(text) as number | undefined })}
          />
        </Field>
        <Field
          label="Floor tier"
          description="the tier is at least this while the rule applies"
          {...fieldError(errors.at(p('floor')))}
        >
          <RadioButtonGroup<Tier | 'none'>
            id={fieldDomId(idPrefix, p('floor'))}
            options={FLOORS}
            value={rule.floor ?? 'none'}
            onChange={(floor) => set({ floor: floor === 'none' ? undefined : floor })}
          />
        </Field>
      </div>
      <MatchersEditor
        match={rule.match ?? {}}
        path={p('match')}
        ruleLabel={ruleLabel}
        idPrefix={idPrefix}
        errors={errors}
        onChange={(match) => set({ match })}
      />
      <SuppressionEditor
        windows={rule.suppress}
        path={p('suppress')}
        ruleLabel={ruleLabel}
        idPrefix={idPrefix}
        errors={errors}
        onChange={(suppress) => set({ suppress })}
      />
      <InlineSwitch
        id={fieldDomId(idPrefix, p('modelAge-enabled'))}
        label={`Model age (${ruleLabel})`}
        showLabel
        value={!!age}
        onChange={() =>
          set({ modelAge: age ? undefined : { label: 'deployed_at', youngerThan: '7d', multiplier: 1.5 } })
        }
      />
      {age && (
        <>
          {errors.at(p('modelAge')) && <FieldValidationMessage>{errors.at(p('modelAge'))}</FieldValidationMessage>}
          <div className={styles.grid}>
            <Field
              label="Deployment time label"
              description="label holding the deployment time"
              {...fieldError(errors.at(p('modelAge.label')))}
            >
              <Input
                id={fieldDomId(idPrefix, p('modelAge.label'))}
                value={age.label ?? ''}
                onChange={(e) => setAge({ label: e.currentTarget.value || undefined })}
              />
            </Field>
            <Field
              label="Deployed at"
              description="or a fixed time (ISO or epoch ms)"
              {...fieldError(errors.at(p('modelAge.deployedAt')))}
            >
              <CommitInput
                id={fieldDomId(idPrefix, p('modelAge.deployedAt'))}
                value={valueToText(age.deployedAt)}
                onCommit={(text) => setAge({ deployedAt: textToValue(text) as ModelAgeRule['deployedAt'] })}
              />
            </Field>
            <Field
              label="Younger than"
              description="counts as young until this old, e.g. 7d"
              {...fieldError(errors.at(p('modelAge.youngerThan')))}
            >
              <CommitInput
                id={fieldDomId(idPrefix, p('modelAge.youngerThan'))}
                value={age.youngerThan ?? ''}
                onCommit={(text) => setAge({ youngerThan: text.trim() })}
              />
            </Field>
            <Field
              label="Young multiplier"
              description="evidence multiplier while young"
              {...fieldError(errors.at(p('modelAge.multiplier')))}
            >
              <CommitInput
                id={fieldDomId(idPrefix, p('modelAge.multiplier'))}
                value={valueToText(age.multiplier)}
                onCommit={(text) => setAge({ multiplier: textToValue(text) as number })}
              />
            </Field>
          </div>
        </>
      )}
    </section>
  );
}
