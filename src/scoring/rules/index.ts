/** Compile a ScoreSpec into Prometheus/Mimir/Loki rules and Grafana-managed alert rules. */
export * from './compile';
export * from './grafana';
export * from './render';
export { leRegex } from './promql';
