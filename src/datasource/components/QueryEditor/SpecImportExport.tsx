import React, { useMemo, useState } from 'react';
import { parse as parseYaml } from 'yaml';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import {
  Alert,
  Button,
  ClipboardButton,
  Field,
  Modal,
  RadioButtonGroup,
  Stack,
  TextArea,
  useStyles2,
} from '@grafana/ui';
import { parseSpec, stringifySpec, validateSpec, withDefaults } from '../../../scoring/spec';
import type { ScoreSpec, ScoreSpecInput, SpecError } from '../../../scoring/spec';

type TextFormat = 'yaml' | 'json';

const FORMATS: Array<{ label: string; value: TextFormat }> = [
  { label: 'YAML', value: 'yaml' },
  { label: 'JSON', value: 'json' },
];

export interface SpecImportExportProps {
  /** What is exported: the query's spec with the data source's tiers and context filled in. */
  spec: ScoreSpecInput;
  /** Called with the imported spec (as written: defaults are not filled in). */
  onImport: (spec: ScoreSpecInput) => void;
  idPrefix: string;
}

/** `line 3, column 7: …` for an error that has a position. */
export function describeImportError(e: SpecError): string {
  const where = e.line !== undefined && !/^line \d+/.test(e.message) ? `line ${e.line}, column ${e.column ?? 1}: ` : '';
  return `${where}${e.path ? `${e.path}: ` : ''}${e.message}`;
}

function exportText(spec: ScoreSpecInput, format: TextFormat): { text: string; errors: SpecError[] } {
  const result = validateSpec(spec);
  let full: ScoreSpec | undefined = result.spec;
  if (!full) {
    try {
      full = withDefaults(spec);
    } catch {
      full = undefined;
    }
  }
  const text = full ? stringifySpec(full, format) : format === 'json' ? JSON.stringify(spec, null, 2) : '';
  return { text, errors: result.errors };
}

export function SpecImportExport({ spec, onImport, idPrefix }: SpecImportExportProps) {
  const styles = useStyles2(getStyles);
  const [mode, setMode] = useState<'import' | 'export' | undefined>();
  const [format, setFormat] = useState<TextFormat>('yaml');
  const [importText, setImportText] = useState('');
  const [importErrors, setImportErrors] = useState<SpecError[]>([]);
  const exported = useMemo(() => (mode === 'export' ? exportText(spec, format) : undefined), [mode, spec, format]);

  const close = () => {
    setMode(undefined);
    setImportErrors([]);
  };
  const doImport = () => {
    const result = parseSpec(importText);
    if (!result.ok) {
      setImportErrors(result.errors);
      return;
    }
    // parseSpec returns the spec with every default filled in; the query keeps what was written
    // (so tiers and context left out still come from the data source's settings).
    onImport(parseYaml(importText) as ScoreSpecInput);
    setImportText('');
    close();
  };

  return (
    <>
      <Stack direction="row" gap={1}>
        <Button variant="secondary" icon="import" onClick={() => setMode('import')}>
          Import spec
        </Button>
        <Button variant="secondary" icon="download-alt" onClick={() => setMode('export')}>
          Export spec
        </Button>
      </Stack>

      <Modal title="Export spec" isOpen={mode === 'export'} onDismiss={close}>
        <Field label="Format">
          <RadioButtonGroup id={`${idPrefix}-export-format`} options={FORMATS} value={format} onChange={setFormat} />
        </Field>
        {exported && exported.errors.length > 0 && (
          <Alert severity="warning" title="The spec is not valid yet">
            Fix the {exported.errors.length} problem{exported.errors.length === 1 ? '' : 's'} shown in the editor before
            using this file with the rule compiler or the CLI.
          </Alert>
        )}
        <Field
          label="Spec"
          description="The score as it runs: tiers and context left out of the query come from the data source"
        >
          <TextArea
            id={`${idPrefix}-export-text`}
            className={styles.code}
            readOnly
            rows={18}
            value={exported?.text ?? ''}
          />
        </Field>
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={close}>
            Close
          </Button>
          <ClipboardButton icon="copy" variant="primary" getText={() => exported?.text ?? ''}>
            Copy to clipboard
          </ClipboardButton>
        </Modal.ButtonRow>
      </Modal>

      <Modal title="Import spec" isOpen={mode === 'import'} onDismiss={close}>
        <Field
          label="Spec (YAML or JSON)"
          description="Replaces the query's spec. Nothing changes if the text has errors."
          invalid={importErrors.length > 0}
        >
          <TextArea
            id={`${idPrefix}-import-text`}
            className={styles.code}
            rows={18}
            value={importText}
            onChange={(e) => {
              setImportText(e.currentTarget.value);
              setImportErrors([]);
            }}
          />
        </Field>
        {importErrors.length > 0 && (
          <Alert severity="error" title="Cannot import: the spec has errors">
            <ul className={styles.list} data-testid="anomalyscore-import-errors">
              {importErrors.map((e, i) => (
                <li key={i}>{describeImportError(e)}</li>
              ))}
            </ul>
          </Alert>
        )}
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={close}>
            Cancel
          </Button>
          <Button variant="primary" onClick={doImport} disabled={importText.trim() === ''}>
            Import
          </Button>
        </Modal.ButtonRow>
      </Modal>
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  code: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  list: css({
    margin: 0,
    paddingLeft: theme.spacing(2),
  }),
});
