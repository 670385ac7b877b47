export { DryRun, DRY_RUN_DEBOUNCE_MS } from './DryRun';
export type { DryRunProps } from './DryRun';
