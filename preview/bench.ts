/**
 * Browser render benchmark: the real panel + data source on the preview page with fixture data
 * (default 1,000 entities × 1,440 points), in headless Debian Chromium.
 *
 *   npx tsx preview/bench.ts [--entities 1000] [--points 1440] [--runs 3] [--no-build]
 *
 * Per run (fresh page): time to first render = navigation start → first triage row in the DOM
 * (includes building the fixture frames, the data source's scoring and the panel's render);
 * drill-down = click on the second row → the drill-down shows that entity, plus the next frame.
 * Prints the medians as one JSON line: {"first_render_ms", "drilldown_ms", "entities", "points", …}.
 */
import * as fs from 'node:fs';

import { chromium, Page } from 'playwright-core';

import { buildPreview, DEFAULT_OUT_DIR } from './build';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { startPreviewServer } from './server';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) {
    throw new Error(`--${name} must be a positive number`);
  }
  return v;
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);

interface Run {
  firstRender: number;
  query: number;
  fixture: number;
  overrides: number;
  rendered: number;
  queryDone: number;
  drilldown: number;
  rows: number;
}

/**
 * Clicks the second row (the first may be selected already) and resolves with the ms until the
 * drill-down shows that entity and the browser painted it. A string: tsx would inject helpers
 * (`__name`) into a function passed to page.evaluate, which do not exist in the page.
 */
const DRILLDOWN_SCRIPT = `(async () => {
  const rows = document.querySelectorAll('[data-testid="anomalyscore-entity"]');
  const row = rows[Math.min(1, rows.length - 1)];
  if (!row) return NaN;
  const sel = '[data-testid="anomalyscore-drilldown"]';
  const before = document.querySelector(sel)?.getAttribute('data-entity') ?? null;
  const opened = () => {
    const el = document.querySelector(sel);
    return !!el && (before === null || el.getAttribute('data-entity') !== before);
  };
  const t0 = performance.now();
  const ok = await new Promise((resolve) => {
    const observer = new MutationObserver(() => check());
    const timer = setTimeout(() => { observer.disconnect(); resolve(false); }, 30000);
    const check = () => {
      if (opened()) { clearTimeout(timer); observer.disconnect(); resolve(true); }
    };
    observer.observe(document.body, { childList: true, subtree: true, attributes: true });
    row.click();
    check();
  });
  if (!ok) return NaN;
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
})()`;

async function measure(page: Page, url: string): Promise<Run> {
  await page.goto(url);
  await page.waitForFunction(
    "window.__preview && (window.__preview.marks['first-row'] !== undefined || window.__preview.state === 'error')",
    null,
    { timeout: 300_000 }
  );
  const marks = (await page.evaluate('({ ...window.__preview.marks, errors: window.__preview.errors })')) as Record<
    string,
    number
  > & { errors: string[] };
  if (marks['first-row'] === undefined) {
    throw new Error(`the preview failed: ${marks.errors.join('; ')}`);
  }
  const rows = await page.locator('[data-testid="anomalyscore-entity"]').count();
  // Open the drill-down of the second entity (the first may be selected already), timed in the page.
  const drilldown = (await page.evaluate(DRILLDOWN_SCRIPT)) as number;
  return {
    firstRender: marks['first-row'],
    query: marks['query-done'] - marks['query-start'],
    fixture: marks['fixture-build-ms'],
    overrides: marks['field-overrides-ms'],
    rendered: marks.rendered,
    queryDone: marks['query-done'],
    drilldown,
    rows,
  };
}

async function main(): Promise<void> {
  const entities = arg('entities', 1000);
  const points = arg('points', 1440);
  const runs = arg('runs', 3);
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  if (!process.argv.includes('--no-build') || !fs.existsSync(`${DEFAULT_OUT_DIR}/preview.js`)) {
    await buildPreview();
  }
  const server = await startPreviewServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const results: Run[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        const r = await measure(page, `${server.url}?entities=${entities}&points=${points}`);
        results.push(r);
        process.stderr.write(
          `run ${i + 1}: first render ${r.firstRender.toFixed(0)} ms (query ${r.query.toFixed(0)} ms, of which fixture frames ${r.fixture.toFixed(0)} ms; then field overrides ${r.overrides.toFixed(0)} ms), drill-down ${r.drilldown.toFixed(0)} ms, ${r.rows} rows in the DOM\n`
        );
      } catch (e) {
        throw new Error(`${(e as Error).message}${errors.length ? `\npage errors:\n${errors.join('\n')}` : ''}`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  process.stdout.write(
    JSON.stringify({
      first_render_ms: round(median(results.map((r) => r.firstRender))),
      drilldown_ms: round(median(results.map((r) => r.drilldown))),
      entities,
      points,
      query_ms: round(median(results.map((r) => r.query))),
      fixture_frames_ms: round(median(results.map((r) => r.fixture))),
      field_overrides_ms: round(median(results.map((r) => r.overrides))),
      panel_ms: round(median(results.map((r) => r.firstRender - r.queryDone))),
      runs,
      rows_in_dom: results[0]?.rows ?? 0,
    }) + '\n'
  );
}

main().catch((e) => {
  process.stderr.write(`preview bench: ${(e as Error).message}\n`);
  process.exit(1);
});
