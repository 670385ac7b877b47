import React from 'react';
import { Field, InlineSwitch, Stack, useStyles2 } from '@grafana/ui';
import { DEFAULT_HYSTERESIS, DEFAULT_MIN_DURATION } from '../../../scoring/spec';
import type { DurationTier, ScoreSpecInput } from '../../../scoring/spec';
import { DEFAULT_CUTS } from '../../../scoring/tiers';
import { CommitInput } from '../shared/CommitInput';
import { ErrorIndex, fieldError } from '../shared/errors';
import { getItemStyles } from '../shared/styles';
import { compactOrUndefined, fieldDomId, textToValue, valueToText } from '../shared/values';

export type TiersInput = NonNullable<ScoreSpecInput['tiers']>;

const CUT_TIERS: readonly DurationTier[] = ['watch', 'review', 'critical'];
const ID = 'anomalyscore-settings';

export interface TiersEditorProps {
  tiers: TiersInput | undefined;
  errors: ErrorIndex;
  /** `undefined` when nothing is set (every default applies). */
  onChange: (tiers: TiersInput | undefined) => void;
}

const title = (tier: string) => tier[0].toUpperCase() + tier.slice(1);

/** Tier cut points, hysteresis and minimum duration (one for all tiers, or one per tier). */
export function TiersEditor({ tiers = {}, errors, onChange }: TiersEditorProps) {
  const styles = useStyles2(getItemStyles);
  const set = (patch: Partial<TiersInput>) => onChange(compactOrUndefined({ ...tiers, ...patch }));
  const setCut = (tier: DurationTier, text: string) =>
    set({ cuts: compactOrUndefined({ ...(tiers.cuts ?? {}), [tier]: textToValue(text) as number | undefined }) });
  const md = tiers.minDuration;
  const perTier = typeof md === 'object' && md !== null;

  return (
    <>
      <div className={styles.grid}>
        {CUT_TIERS.map((tier) => (
          <Field
            key={tier}
            label={`${title(tier)} from`}
            description={`score where ${tier} starts (0–100)`}
            {...fieldError(errors.at(`tiers.cuts.${tier}`))}
          >
            <CommitInput
              id={fieldDomId(ID, `tiers.cuts.${tier}`)}
              value={valueToText(tiers.cuts?.[tier])}
              placeholder={String(DEFAULT_CUTS[tier])}
              onCommit={(text) => setCut(tier, text)}
            />
          </Field>
        ))}
        <Field
          label="Hysteresis"
          description="points below a cut before its tier is left"
          {...fieldError(errors.at('tiers.hysteresis'))}
        >
          <CommitInput
            id={fieldDomId(ID, 'tiers.hysteresis')}
            value={valueToText(tiers.hysteresis)}
            placeholder={String(DEFAULT_HYSTERESIS)}
            onCommit={(text) => set({ hysteresis: textToValue(text) as number | undefined })}
          />
        </Field>
      </div>
      <Stack direction="row" gap={1} alignItems="center">
        <InlineSwitch
          id={`${ID}-min-duration-per-tier`}
          label="Minimum duration per tier"
          showLabel
          value={perTier}
          onChange={() => {
            if (perTier) {
              set({ minDuration: md.watch ?? md.review ?? md.critical });
            } else {
              set({ minDuration: typeof md === 'string' ? { watch: md, review: md, critical: md } : {} });
            }
          }}
        />
      </Stack>
      <div className={styles.grid}>
        {perTier ? (
          CUT_TIERS.map((tier) => (
            <Field
              key={tier}
              label={`Minimum duration: ${tier}`}
              description={`a rise into ${tier} is confirmed after this long`}
              {...fieldError(errors.at(`tiers.minDuration.${tier}`))}
            >
              <CommitInput
                id={fieldDomId(ID, `tiers.minDuration.${tier}`)}
                value={md[tier] ?? ''}
                placeholder={DEFAULT_MIN_DURATION}
                onCommit={(text) =>
                  set({ minDuration: compactOrUndefined({ ...md, [tier]: text.trim() || undefined }) ?? {} })
                }
              />
            </Field>
          ))
        ) : (
          <Field
            label="Minimum duration"
            description="a rise into a tier is confirmed after this long, e.g. 5m"
            {...fieldError(errors.under('tiers.minDuration'))}
          >
            <CommitInput
              id={fieldDomId(ID, 'tiers.minDuration')}
              value={typeof md === 'string' ? md : ''}
              placeholder={DEFAULT_MIN_DURATION}
              onCommit={(text) => set({ minDuration: text.trim() || undefined })}
            />
          </Field>
        )}
      </div>
    </>
  );
}
