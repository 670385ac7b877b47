import React, { useId, useState } from 'react';
import { Alert, Button, Field, Stack, Text, TextArea, useStyles2 } from '@grafana/ui';
import { latestVersion, type SpecVersionsFile } from '../../scoring/evaluate/calibrate';
import { iso } from '../shared/format';
import { getSharedStyles } from '../shared/styles';

interface Props {
  specId: string;
  file?: SpecVersionsFile;
  /** Apply is possible (a calibration proposed a valid change). */
  canApply: boolean;
  /** Why Apply is not possible, or a caveat shown next to it. */
  applyNote?: string;
  busy: boolean;
  error?: string;
  saved?: string;
  onApply: (reason: string) => void;
  onRestore: (version: number, reason: string) => void;
}

/** Apply a proposal as a new version (reason required), and the version history with Restore. */
export function VersionsPanel({ specId, file, canApply, applyNote, busy, error, saved, onApply, onRestore }: Props) {
  const styles = useStyles2(getSharedStyles);
  const reasonId = useId();
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const reasonMissing = reason.trim() === '';
  const latest = file && file.versions.length ? latestVersion(file).version : undefined;
  const versions = file ? [...file.versions].sort((a, b) => b.version - a.version) : [];
  return (
    <section className={styles.section} aria-label="Spec versions">
      <Text element="h3">{`Versions of ${specId}`}</Text>
      {error && (
        <Alert severity="error" title="Could not save the version">
          {error}
        </Alert>
      )}
      {saved && (
        <Alert severity="success" title="Saved">
          {saved}
        </Alert>
      )}
      <Field
        label="Reason"
        htmlFor={reasonId}
        required
        invalid={touched && reasonMissing}
        error={touched && reasonMissing ? 'Say why this version is applied.' : undefined}
        description="Stored with the version, with your login and the time. Restore uses it too (default: “restore version N”)."
      >
        <TextArea id={reasonId} rows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
      </Field>
      {applyNote && <Text element="p" color="secondary">{applyNote}</Text>}
      <Stack gap={1}>
        <Button
          icon="save"
          disabled={!canApply || busy}
          onClick={() => {
            setTouched(true);
            if (!reasonMissing) {
              onApply(reason.trim());
            }
          }}
        >
          Apply proposal as a new version
        </Button>
      </Stack>
      {versions.length === 0 ? (
        <Text element="p" color="secondary">
          No stored versions yet. Applying a proposal stores the current spec as the first version and the proposal as the next.
        </Text>
      ) : (
        <div className={styles.tableWrap}>
          <table className={styles.table} data-testid="versions">
            <caption>Version history (newest first)</caption>
            <thead>
              <tr>
                <th scope="col" className="num">version</th>
                <th scope="col">who</th>
                <th scope="col">when</th>
                <th scope="col">why</th>
                <th scope="col">
                  actions
                </th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.version} data-testid={`version-${v.version}`}>
                  <td className="num">{v.version === latest ? `${v.version} (current)` : v.version}</td>
                  <td>{v.author}</td>
                  <td>{iso(Date.parse(v.at))}</td>
                  <td>{v.reason}</td>
                  <td>
                    {v.version !== latest && (
                      <Button
                        size="sm"
                        variant="secondary"
                        disabled={busy}
                        aria-label={`Restore version ${v.version}`}
                        onClick={() => onRestore(v.version, reason.trim())}
                      >
                        Restore
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
