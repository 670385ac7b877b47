// Suites that check the built dist/ folder; scripts/test.mjs runs them after `npm run build`.
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/tests/dist'],
  testMatch: ['<rootDir>/tests/dist/**/*.dist.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
