import { validateSpec } from '../../../scoring/spec';
import type { SpecError } from '../../../scoring/spec';
import type { AnomalyDataSourceOptions } from '../../types';
import { errorsUnder } from '../shared/errors';

/** A signal that is always valid: the settings are validated as part of a spec that has one. */
const DUMMY_SIGNAL = { id: 'settings_check', kind: 'threshold' as const, params: { above: 1 } };

/** Validation errors of the data source's default tiers and context, in ScoreSpec paths (`tiers.cuts.review`). */
export function settingsErrors(jsonData: AnomalyDataSourceOptions): SpecError[] {
  const input = {
    id: 'datasource-settings',
    signals: [DUMMY_SIGNAL],
    ...(jsonData.tiers !== undefined ? { tiers: jsonData.tiers } : {}),
    ...(jsonData.context !== undefined ? { context: jsonData.context } : {}),
  };
  return errorsUnder(validateSpec(input).errors, ['tiers', 'context']);
}
