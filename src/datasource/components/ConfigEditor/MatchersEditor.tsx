import React, { useState } from 'react';
import { Button, Field, IconButton, Input, Stack } from '@grafana/ui';
import { ErrorIndex, fieldError } from '../shared/errors';
import { fieldDomId } from '../shared/values';

export interface MatchersEditorProps {
  match: Record<string, string>;
  /** Spec path of the match object, e.g. `context[0].match`. */
  path: string;
  ruleLabel: string;
  idPrefix: string;
  errors: ErrorIndex;
  onChange: (match: Record<string, string>) => void;
}

type Row = { label: string; value: string };

const toRows = (match: Record<string, string>): Row[] =>
  Object.entries(match).map(([label, value]) => ({ label, value }));

function toMatch(rows: Row[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) {
    if (r.label.trim() !== '') {
      out[r.label.trim()] = r.value;
    }
  }
  return out;
}

/**
 * Label matchers: `label = value` or `label = /regex/`. Rows are edited locally (a half-typed row
 * with no label yet is kept) and written as the ScoreSpec `match` object.
 */
export function MatchersEditor({ match, path, ruleLabel, idPrefix, errors, onChange }: MatchersEditorProps) {
  const [rows, setRows] = useState<Row[]>(() => toRows(match));
  // Follow changes made elsewhere (another rule removed, settings reloaded), keeping half-typed rows
  // when they already say the same thing.
  const matchKey = JSON.stringify(match);
  const [seenKey, setSeenKey] = useState(matchKey);
  if (matchKey !== seenKey) {
    setSeenKey(matchKey);
    if (JSON.stringify(toMatch(rows)) !== matchKey) {
      setRows(toRows(match));
    }
  }
  const update = (next: Row[]) => {
    setRows(next);
    onChange(toMatch(next));
  };

  return (
    <Field
      label="Label matchers"
      description="label = exact value or /regex/ (anchored, like =~); none: every entity"
      useFieldset
      {...fieldError(errors.at(path))}
    >
      <>
        <Stack direction="column" gap={0.5}>
          {rows.map((row, i) => {
            const rowError = row.label ? errors.at(`${path}.${row.label}`) : undefined;
            return (
              <Field key={i} noMargin {...fieldError(rowError)}>
                <>
                  <Stack direction="row" gap={0.5} alignItems="center">
                    <Input
                      id={fieldDomId(idPrefix, `${path}.${i}.label`)}
                      aria-label={`Label of matcher ${i + 1} of ${ruleLabel}`}
                      width={20}
                      value={row.label}
                      placeholder="label"
                      invalid={!!rowError}
                      onChange={(e) =>
                        update(rows.map((r, j) => (j === i ? { ...r, label: e.currentTarget.value } : r)))
                      }
                    />
                    <span aria-hidden>=</span>
                    <Input
                      aria-label={`Value of matcher ${i + 1} of ${ruleLabel}`}
                      width={30}
                      value={row.value}
                      placeholder="value or /regex/"
                      invalid={!!rowError}
                      onChange={(e) =>
                        update(rows.map((r, j) => (j === i ? { ...r, value: e.currentTarget.value } : r)))
                      }
                    />
                    <IconButton
                      name="times"
                      aria-label={`Remove matcher ${i + 1} of ${ruleLabel}`}
                      onClick={() => update(rows.filter((_, j) => j !== i))}
                    />
                  </Stack>
                </>
              </Field>
            );
          })}
          <div>
            <Button
              size="sm"
              variant="secondary"
              icon="plus"
              onClick={() => setRows([...rows, { label: '', value: '' }])}
            >
              Add matcher
            </Button>
          </div>
        </Stack>
      </>
    </Field>
  );
}
