/**
 * How we launch headless Chromium (Debian's package, through playwright-core): one place for the
 * executable and the flags, used by the browser suites (tests/browser/harness.ts) and the render
 * benchmark (preview/bench.ts).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
