/**
 * The preview as `npm run preview` runs it with Prometheus installed: demo data generated,
 * backfilled into a real Prometheus, queried through the preview server's /prom proxy by the
 * page's Prometheus data source, scored by the real Anomaly Score data source, shown by the panel.
 * Skipped (with the package to install) when prometheus/promtool are not on PATH, like the
 * integration suites; Chromium is required.
 */
import type { Browser } from 'playwright-core';

import { prometheusAvailable } from '../integration/prometheus';
import { IDS, launchBrowser, openPreview, oracle, PreviewProcess, startPreview, watchPage, withLog } from './harness';

const available = prometheusAvailable();
if (!available) {
  console.warn(
    'prometheus/promtool not on PATH: skipping the real-Prometheus preview test (apt-get install prometheus)'
  );
}
const describeProm = available ? describe : describe.skip;

describeProm('preview page on a real Prometheus with the demo data', () => {
  let server: PreviewProcess;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
    // Two demo days keep generation and backfill to a few seconds; the page shows the last 24 h.
    server = await startPreview(['--days', '2'], 180_000);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('scores the demo entities from Prometheus and renders them', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const log = watchPage(page);
      await withLog(
        log,
        async () => {
          await openPreview(page, server.url);
          const mode = await page.evaluate(() => (window.__preview as unknown as { mode: string }).mode);
          expect(mode).toBe('prometheus');
          const rows = await oracle(page);
          // The demo fleet: 3 models x 2 versions x 2 regions.
          expect(rows).toHaveLength(12);
          for (const r of rows) {
            expect(Object.keys(r.labels).sort()).toEqual(['model', 'region', 'version']);
            expect(Number.isFinite(r.current)).toBe(true);
          }
          // Only log signals may fail here: no Loki runs on these machines.
          const errors = await page.evaluate(() => window.__preview.errors);
          expect(errors.filter((e) => !/loki/i.test(e))).toEqual([]);
          expect(await page.locator(IDS.entity).count()).toBeGreaterThan(0);
          expect(log.pageErrors).toEqual([]);
          expect(log.failedRequests).toEqual([]);
        },
        server.output
      );
    } finally {
      await context.close();
    }
  });
});
