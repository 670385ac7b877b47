import React from 'react';
import { Field, FieldValidationMessage, Input, useStyles2 } from '@grafana/ui';
import type { PlaybookEntry } from '../../../scoring/tiers';
import { DEFAULT_PLAYBOOK } from '../../../scoring/tiers';
import { TIERS, Tier } from '../../../scoring/types';
import { ErrorIndex, fieldError } from '../shared/errors';
import { getItemStyles } from '../shared/styles';
import { compactOrUndefined, fieldDomId } from '../shared/values';
import type { TiersInput } from './TiersEditor';

type PlaybookInput = NonNullable<TiersInput['playbook']>;
type EntryKey = keyof PlaybookEntry;

const ID = 'anomalyscore-settings';

const FIELDS: Array<{ key: EntryKey; label: string; description: string; placeholder?: string }> = [
  { key: 'action', label: 'Action', description: 'what to do in this tier' },
  { key: 'owner', label: 'Owner', description: 'team or rota that acts', placeholder: 'e.g. ml-platform' },
  {
    key: 'escalation',
    label: 'Escalation',
    description: 'who is paged, and when',
    placeholder: 'e.g. page on-call after 30m',
  },
  { key: 'runbook', label: 'Runbook link', description: 'URL of the runbook', placeholder: 'https://…' },
];

export interface PlaybookEditorProps {
  playbook: PlaybookInput | undefined;
  errors: ErrorIndex;
  onChange: (playbook: PlaybookInput | undefined) => void;
}

/**
 * The playbook entry of each tier. An entry needs an action: when only owner / escalation / runbook
 * are filled in, the tier's default action is written with them (it is what the engine would use).
 */
export function PlaybookEditor({ playbook = {}, errors, onChange }: PlaybookEditorProps) {
  const styles = useStyles2(getItemStyles);
  const setField = (tier: Tier, key: EntryKey, text: string) => {
    const next: PlaybookInput = { ...playbook };
    const entry = compactOrUndefined({ ...(playbook[tier] ?? {}), [key]: text === '' ? undefined : text });
    if (!entry) {
      delete next[tier];
    } else {
      // Clearing the action of an entry that has other fields leaves it empty (and invalid) while
      // the user types a new one; setting another field first fills in the default action.
      next[tier] = { ...entry, action: entry.action ?? (key === 'action' ? '' : DEFAULT_PLAYBOOK[tier].action) };
    }
    onChange(compactOrUndefined(next));
  };

  return (
    <>
      {TIERS.map((tier) => (
        <div key={tier}>
          <h4 className={styles.subheading}>{tier}</h4>
          <div className={styles.grid}>
            {FIELDS.map(({ key, label, description, placeholder }) => {
              const path = `tiers.playbook.${tier}.${key}`;
              return (
                <Field key={key} label={label} description={description} {...fieldError(errors.at(path))}>
                  <Input
                    id={fieldDomId(ID, path)}
                    aria-label={`${tier} ${label.toLowerCase()}`}
                    value={playbook[tier]?.[key] ?? ''}
                    placeholder={key === 'action' ? DEFAULT_PLAYBOOK[tier].action : placeholder}
                    onChange={(e) => setField(tier, key, e.currentTarget.value)}
                  />
                </Field>
              );
            })}
          </div>
          {errors.at(`tiers.playbook.${tier}`) && (
            <FieldValidationMessage>{errors.at(`tiers.playbook.${tier}`)}</FieldValidationMessage>
          )}
        </div>
      ))}
    </>
  );
}
