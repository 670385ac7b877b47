import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, useStyles2 } from '@grafana/ui';
import { splitPath } from '../../../scoring/spec';
import type { SpecError } from '../../../scoring/spec';
import { fieldDomId } from '../shared/values';

export interface ErrorSummaryProps {
  errors: readonly SpecError[];
  idPrefix: string;
  /** Top-level spec keys that have fields in this editor (others are listed as plain text). */
  editable: readonly string[];
}

function pathOf(parts: Array<string | number>): string {
  return parts.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** Focus the field of `path`, or of the nearest enclosing path that has one (a signal: its id). */
function focusField(idPrefix: string, path: string): void {
  const parts = splitPath(path);
  for (let n = parts.length; n > 0; n--) {
    const p = pathOf(parts.slice(0, n));
    const el =
      document.getElementById(fieldDomId(idPrefix, p)) ?? document.getElementById(fieldDomId(idPrefix, `${p}.id`));
    if (el) {
      el.focus();
      return;
    }
  }
}

/** Every validation error in one place; each entry moves focus to its field. */
export function ErrorSummary({ errors, idPrefix, editable }: ErrorSummaryProps) {
  const styles = useStyles2(getStyles);
  if (errors.length === 0) {
    return null;
  }
  return (
    <Alert severity="error" title={`The spec has ${errors.length} problem${errors.length === 1 ? '' : 's'}`}>
      <ul className={styles.list} data-testid="anomalyscore-spec-errors">
        {errors.map((e, i) => {
          const text = `${e.path || 'spec'}: ${e.message}`;
          const top = splitPath(e.path)[0];
          return (
            <li key={i}>
              {typeof top === 'string' && editable.includes(top) ? (
                <button type="button" className={styles.link} onClick={() => focusField(idPrefix, e.path)}>
                  {text}
                </button>
              ) : (
                text
              )}
            </li>
          );
        })}
      </ul>
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({
    margin: 0,
    paddingLeft: theme.spacing(2),
  }),
  link: css({
    background: 'none',
    border: 'none',
    padding: 0,
    textAlign: 'left',
    color: theme.colors.text.link,
    cursor: 'pointer',
    '&:hover': { textDecoration: 'underline' },
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}`, outlineOffset: 2 },
  }),
});
