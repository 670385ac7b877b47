// Headless Chromium suites (`npm run test:browser`): build the preview page (preview/), serve it
// with fixture frames and drive the real panel and data source in Debian's Chromium through
// playwright-core. Chromium missing is a failure naming the package, never a skip.
const base = require('./jest.config');

module.exports = {
  transform: base.transform,
  transformIgnorePatterns: base.transformIgnorePatterns,
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/browser'],
  testMatch: ['<rootDir>/tests/browser/**/*.browser.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/tests/browser/globalSetup.ts',
  // Building, starting the server and Chromium take seconds each on two busy cores.
  testTimeout: 120000,
};
