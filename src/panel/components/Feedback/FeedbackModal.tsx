import React from 'react';
import { Alert, Button, Field, Modal, TextArea } from '@grafana/ui';
import { feedbackLabel } from '../../data/feedback';
import { FeedbackKind } from '../../types';

interface Props {
  kind: FeedbackKind;
  entityKey: string;
  when: string;
  rationale: string;
  onRationale: (text: string) => void;
  error?: string;
  saving: boolean;
  onSubmit: () => void;
  onDismiss: () => void;
}

/** Asks for the rationale (required) before feedback is written; keeps the text when a write fails. */
export function FeedbackModal({
  kind,
  entityKey,
  when,
  rationale,
  onRationale,
  error,
  saving,
  onSubmit,
  onDismiss,
}: Props) {
  const empty = rationale.trim() === '';
  return (
    <Modal title={`${feedbackLabel(kind)}: ${entityKey}`} isOpen onDismiss={onDismiss}>
      <form
        data-testid="anomalyscore-feedback-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!empty && !saving) {
            onSubmit();
          }
        }}
      >
        <p>Recorded as a Grafana annotation at {when}.</p>
        {error && (
          <Alert title="The feedback was not saved" severity="error" data-testid="anomalyscore-feedback-error">
            {error}. Your rationale is kept: try again.
          </Alert>
        )}
        <Field label="Rationale" description="Why? Required; it goes into the audit trail." required invalid={false}>
          <TextArea
            autoFocus
            rows={4}
            value={rationale}
            maxLength={2000}
            data-testid="anomalyscore-feedback-rationale"
            onChange={(e) => onRationale(e.currentTarget.value)}
          />
        </Field>
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onDismiss} type="button">
            Cancel
          </Button>
          <Button type="submit" disabled={empty || saving} data-testid="anomalyscore-feedback-submit">
            {saving ? 'Saving…' : error ? 'Retry' : 'Save'}
          </Button>
        </Modal.ButtonRow>
      </form>
    </Modal>
  );
}
