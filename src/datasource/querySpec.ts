import type { ScoreSpecInput } from '../scoring/spec';
import type { AnomalyDataSourceOptions } from './types';

/**
 * The spec as the pipeline runs it: tiers and context the query leaves out come from the data
 * source's settings, and a query without an id is named after its refId.
 */
export function effectiveInput(
  spec: ScoreSpecInput | undefined,
  refId: string,
  settings: AnomalyDataSourceOptions | undefined
): ScoreSpecInput {
  const base = spec ?? ({ signals: [] } as unknown as ScoreSpecInput);
  const tiers = base.tiers ?? settings?.tiers;
  const context = base.context ?? settings?.context;
  return {
    ...base,
    id: base.id || `query-${refId}`,
    ...(tiers ? { tiers } : {}),
    ...(context ? { context } : {}),
  };
}
