// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const swc = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  ...base,
  // d3-color and friends ship .mjs files that jest cannot load untransformed.
  transform: { ...base.transform, '^.+\\.mjs$': swc },
  // Under jsdom jest picks the `browser` export of `yaml` (ESM); point it at the CommonJS build.
  moduleNameMapper: { ...base.moduleNameMapper, '^yaml$': require.resolve('yaml') },
  // Integration and browser suites need real services; they run through their own configs.
  testPathIgnorePatterns: ['/node_modules/', '\\.integration\\.test\\.', '\\.browser\\.test\\.'],
};
