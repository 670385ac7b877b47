/**
 * Public surface of the scoring engine (pure TypeScript; no Grafana or React).
 * The data source, panel, CLI and rule compiler import from here.
 */
export * from './types';
export * from './composite';
export * from './tiers';
export * from './context';
export * from './spec';
export * from './engine';
export * from './explain';
export {
  SIGNAL_KIND_INFO,
  getSignalKindInfo,
  createDetector,
  validateSignalParams,
  runDetector,
} from './signals/registry';
export type { SignalKindInfo, DetectorOptions } from './signals/registry';
