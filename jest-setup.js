// Jest setup provided by Grafana scaffolding: it patches DOM globals, so it only applies to suites
// that run in jsdom. Pure suites (`@jest-environment node`, e.g. the scoring engine) skip it.
if (typeof window !== 'undefined') {
  require('./.config/jest-setup');
}
