/** Public surface of the detectors. */
export * from './registry';
export { rampSeverity } from './common';
export type { RobustZConfig } from './robustZ';
export type { SeasonalConfig } from './seasonal';
export type { LevelShiftConfig } from './levelShift';
export type { RatioConfig } from './ratio';
export type { HistogramDriftConfig, DriftMetric } from './histogramDrift';
export type { CalibrationConfig, CalibrationReference } from './calibration';
export type { StalenessConfig } from './staleness';
export type { ThresholdConfig } from './threshold';
export { RobustZDetector } from './robustZ';
export { SeasonalDetector } from './seasonal';
export { LevelShiftDetector } from './levelShift';
export { RatioDetector } from './ratio';
export {
  HistogramDriftDetector,
  divergence,
  driftNoiseFloor,
  DRIFT_METRICS,
  DRIFT_METRIC_DEFAULTS,
} from './histogramDrift';
export { CalibrationDetector, expectedCalibrationError, binMidpoints, CALIBRATION_REFERENCES } from './calibration';
export { StalenessDetector } from './staleness';
export { ThresholdDetector } from './threshold';
