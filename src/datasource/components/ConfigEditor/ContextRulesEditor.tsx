import React from 'react';
import { Button } from '@grafana/ui';
import type { ContextRule } from '../../../scoring/spec';
import { ErrorIndex } from '../shared/errors';
import { ContextRuleEditor } from './ContextRuleEditor';

export interface ContextRulesEditorProps {
  rules: ContextRule[] | undefined;
  errors: ErrorIndex;
  onChange: (rules: ContextRule[] | undefined) => void;
}

const ID = 'anomalyscore-settings';

function newRuleId(rules: ContextRule[]): string {
  const taken = new Set(rules.map((r) => r.id));
  let n = rules.length + 1;
  while (taken.has(`rule_${n}`)) {
    n++;
  }
  return `rule_${n}`;
}

/** Context rules (layer 3) applied to every query that does not bring its own. */
export function ContextRulesEditor({ rules = [], errors, onChange }: ContextRulesEditorProps) {
  const write = (next: ContextRule[]) => onChange(next.length > 0 ? next : undefined);
  return (
    <div>
      {rules.map((rule, i) => (
        <ContextRuleEditor
          key={i}
          rule={rule}
          index={i}
          count={rules.length}
          idPrefix={ID}
          errors={errors}
          onChange={(r) => write(rules.map((x, j) => (j === i ? r : x)))}
          onMove={(delta) => {
            const next = [...rules];
            const [moved] = next.splice(i, 1);
            next.splice(i + delta, 0, moved);
            write(next);
          }}
          onRemove={() => write(rules.filter((_, j) => j !== i))}
        />
      ))}
      {errors.at('context') && <div role="alert">{errors.at('context')}</div>}
      <Button
        icon="plus"
        variant="secondary"
        onClick={() => write([...rules, { id: newRuleId(rules), match: {}, multiplier: 1 }])}
      >
        Add context rule
      </Button>
    </div>
  );
}
