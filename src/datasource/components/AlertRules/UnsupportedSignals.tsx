import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, useStyles2 } from '@grafana/ui';
import type { CompiledRules } from '../../../scoring/rules';

/** What the compiler left out: these signals are missing from the compiled score. */
export function UnsupportedSignals({ compiled }: { compiled: CompiledRules }) {
  const styles = useStyles2(getStyles);
  const n = compiled.unsupported.length + compiled.unsupportedContext.length;
  if (n === 0) {
    return null;
  }
  return (
    <Alert
      severity="warning"
      title={`Not compiled: ${n} part${n === 1 ? '' : 's'} of the spec are missing from the compiled score`}
    >
      <ul className={styles.list} data-testid="anomalyscore-unsupported">
        {compiled.unsupported.map((u) => (
          <li key={`s-${u.signal}`}>
            <strong>{u.signal}</strong> ({u.kind}): {u.reason}
          </li>
        ))}
        {compiled.unsupportedContext.map((u) => (
          <li key={`c-${u.rule}`}>
            context rule <strong>{u.rule}</strong>: {u.reason}
          </li>
        ))}
      </ul>
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({
    margin: 0,
    paddingLeft: theme.spacing(2),
  }),
});
