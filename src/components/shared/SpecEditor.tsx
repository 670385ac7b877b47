import React, { useId } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Combobox, Field, Stack, TextArea, useStyles2 } from '@grafana/ui';
import { stringifySpec } from '../../scoring/spec';
import { latestVersion, type SpecVersionsFile } from '../../scoring/evaluate/calibrate';
import type { ParsedSpecText } from './specText';

interface Props {
  value: string;
  onChange: (text: string) => void;
  parsed: ParsedSpecText;
  /** Stored versions files (the app's settings), offered as "load the latest version of ...". */
  stored?: Record<string, SpecVersionsFile>;
}

/** The spec as code: a textarea (YAML or JSON) validated as you type, plus loading a stored version. */
export function SpecEditor({ value, onChange, parsed, stored = {} }: Props) {
  const styles = useStyles2(getStyles);
  const id = useId();
  const options = Object.values(stored).map((f) => {
    const v = latestVersion(f);
    return { value: f.specId, label: `${f.specId} (version ${v.version})` };
  });
  const showError = value.trim() !== '' && !parsed.ok;
  return (
    <Stack direction="column" gap={1}>
      {options.length > 0 && (
        <Field label="Load a stored spec" description="The latest version from the versions store.">
          <Combobox
            aria-label="Load a stored spec"
            options={options}
            value={null}
            width={40}
            placeholder="Choose a spec"
            onChange={(o: { value: string } | null) => {
              const file = o?.value ? stored[o.value] : undefined;
              if (file) {
                onChange(stringifySpec(latestVersion(file).spec, 'yaml'));
              }
            }}
          />
        </Field>
      )}
      <Field
        label="Spec (YAML or JSON)"
        htmlFor={id}
        invalid={showError}
        error={showError ? <span className={styles.errors}>{parsed.message}</span> : undefined}
        description="The same ScoreSpec a panel query uses. Tiers and context left out come from the data source's settings."
      >
        <TextArea
          id={id}
          className={styles.code}
          rows={12}
          value={value}
          spellCheck={false}
          placeholder={'id: model-health\nentity: [model, version]\nsignals:\n  - id: latency\n    kind: robust_z\n    source: ...'}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      </Field>
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  code: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
  errors: css({ whiteSpace: 'pre-wrap' }),
});
