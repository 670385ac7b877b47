// Suites that need a real Prometheus (Debian `prometheus` + `promtool` on PATH): they backfill the
// demo data, start Prometheus on a free loopback port and stop it again. `npm run test:integration`.
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/tests/integration'],
  testMatch: ['<rootDir>/tests/integration/**/*.integration.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testEnvironment: 'node',
  // Generating, backfilling and starting Prometheus takes tens of seconds on 2 busy cores.
  testTimeout: 300000,
};
