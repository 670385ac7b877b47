/**
 * The real panel and data source in headless Chromium, on the preview page with fixture frames:
 * triage order, drill-down, feedback annotations, export, XSS safety, dark/light screenshots.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Browser, BrowserContext, Download, Locator, Page } from 'playwright-core';

import {
  FeedbackKind,
  IDS,
  launchBrowser,
  numberIn,
  openPreview,
  Oracle,
  oracle,
  PageLog,
  PreviewProcess,
  SCREENSHOTS,
  startPreview,
  watchPage,
  withLog,
} from './harness';

const XSS = '<img src=x onerror=alert(1)>';

let server: PreviewProcess;
let browser: Browser;

beforeAll(async () => {
  // Chromium first: when it is missing every test fails with the package to install.
  browser = await launchBrowser();
  server = await startPreview(['--fixtures']);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Session {
  context: BrowserContext;
  page: Page;
  log: PageLog;
}

const sessions: Session[] = [];

async function session(query = ''): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const log = watchPage(page);
  const s = { context, page, log };
  sessions.push(s);
  await withLog(log, () => openPreview(page, server.url, query), server.output);
  return s;
}

afterEach(async () => {
  for (const s of sessions.splice(0)) {
    await s.context.close().catch(() => undefined);
  }
});

/** Test body with the page's console errors added to any failure. */
function run(s: Session, fn: () => Promise<void>): Promise<void> {
  return withLog(s.log, fn, server.output);
}

const byScore = (rows: Oracle[]) =>
  [...rows].sort((a, b) => {
    const [x, y] = [a.current, b.current];
    if (Number.isNaN(x) !== Number.isNaN(y)) {
      return Number.isNaN(x) ? 1 : -1;
    }
    return y - x;
  });

/** Polls `check` until it is true or `timeoutMs` passed. */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Row i shows entity e when its text contains every label value of e. */
function showsEntity(text: string, e: Oracle): boolean {
  return Object.values(e.labels).every((v) => text.includes(v));
}

async function openDrilldown(page: Page, row = 0, timeout = 15_000): Promise<Locator> {
  await page.locator(IDS.entity).nth(row).click();
  const drill = page.locator(IDS.drilldown).first();
  await drill.waitFor({ state: 'visible', timeout });
  return drill;
}

/** Gives feedback of `kind` with a rationale, filling the rationale box before or after choosing the kind. */
async function giveFeedback(page: Page, drill: Locator, kind: FeedbackKind, rationale: string): Promise<void> {
  const box = page.locator(IDS.rationale).first();
  let filled = false;
  if ((await box.count()) > 0 && (await box.isVisible())) {
    await box.fill(rationale);
    filled = true;
  }
  await drill.locator(IDS.feedback(kind)).first().click();
  if (!filled) {
    await box.waitFor({ state: 'visible', timeout: 5_000 });
    await box.fill(rationale);
  }
  const submit = page.locator(IDS.feedbackSubmit).first();
  if ((await submit.count()) > 0) {
    await submit.click();
  }
}

/** The dashboard's refresh button: re-runs the query and the annotation query; waits for the new render. */
async function refreshDashboard(page: Page): Promise<void> {
  const before = await page.evaluate(() => window.__preview.marks.rendered);
  await page.evaluate(() => window.__preview.refresh());
  await page.waitForFunction(
    (t) => window.__preview.marks.rendered !== t && window.__preview.state === 'ready',
    before,
    {
      timeout: 30_000,
    }
  );
}

async function annotations(page: Page): Promise<Array<Record<string, unknown>>> {
  return page.evaluate(() => window.__annotations);
}

describe('preview page (harness)', () => {
  it('serves the real data source frames, @grafana/ui icons and no page errors', async () => {
    const s = await session();
    await run(s, async () => {
      const rows = await oracle(s.page);
      expect(rows.length).toBe(5);
      // The fixture is designed so that entities land in different tiers.
      expect(new Set(rows.map((r) => r.tier)).size).toBeGreaterThanOrEqual(3);
      expect(rows.some((r) => r.labels.model === XSS)).toBe(true);
      const icon = await s.page.evaluate(
        async () => (await fetch('/public/build/img/icons/unicons/angle-down.svg')).status
      );
      expect(icon).toBe(200);
      expect(s.log.pageErrors).toEqual([]);
      expect(await s.page.locator(IDS.entity).count()).toBeGreaterThan(0);
    });
  });
});

describe('anomaly score panel in Chromium', () => {
  it('renders the triage queue in score order (highest first by default)', async () => {
    const s = await session();
    await run(s, async () => {
      const expected = byScore(await oracle(s.page));
      const texts = await s.page.locator(IDS.entity).allTextContents();
      expect(texts.length).toBe(expected.length);
      const mismatches = expected
        .map((e, i) =>
          showsEntity(texts[i], e)
            ? null
            : `row ${i}: expected ${JSON.stringify(e.labels)} (score ${e.current.toFixed(1)}), got "${texts[i]}"`
        )
        .filter(Boolean);
      expect(mismatches).toEqual([]);
      // The scores the rows show (when they show one) are non-increasing too.
      const shown = await s.page
        .locator(IDS.entity)
        .evaluateAll((els, sel) => els.map((e) => e.querySelector(sel)?.textContent ?? null), IDS.entityScore);
      if (shown.every((t) => t !== null)) {
        const values = shown.map(numberIn);
        expect(values.every((v, i) => i === 0 || v <= values[i - 1])).toBe(true);
      }
      expect(s.log.pageErrors).toEqual([]);
    });
  });

  it('opens a drill-down whose contribution bars sum to the score shown', async () => {
    const s = await session();
    await run(s, async () => {
      const expected = byScore(await oracle(s.page));
      // The second entity first (the first may be selected already), then the top one.
      for (const [row, minBars] of [
        [1, 1],
        [0, 2], // the top fixture entity has three contributing signals
      ]) {
        const entity = expected[row];
        const drill = await openDrilldown(s.page, row);
        await until(async () => showsEntity((await drill.textContent()) ?? '', entity), 5_000);
        expect({ row, shows: showsEntity((await drill.textContent()) ?? '', entity) }).toEqual({ row, shows: true });
        const values = (
          await drill.locator(IDS.contribBar).evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))
        ).map(Number);
        const score = numberIn(await drill.locator(IDS.scoreValue).first().textContent());
        expect(values.length).toBeGreaterThanOrEqual(minBars);
        expect(values.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
        expect(score).toBeGreaterThan(0);
        expect(score).toBeLessThanOrEqual(100);
        // The score shown is the entity's (latest or peak point; shown rounded).
        expect(Math.min(Math.abs(score - entity.current), Math.abs(score - entity.peak))).toBeLessThanOrEqual(0.51);
        const sum = values.reduce((x, y) => x + y, 0);
        // The shown score may be rounded to an integer and each bar to 0.1.
        expect({
          row,
          off: Math.abs(sum - score) <= 0.5 + 0.05 * values.length + 1e-9,
          sum,
          score,
          values,
        }).toMatchObject({
          row,
          off: true,
        });
      }
      expect(s.log.pageErrors).toEqual([]);
    });
  });

  it('writes feedback as an annotation with the rationale', async () => {
    const s = await session();
    await run(s, async () => {
      const top = byScore(await oracle(s.page))[0];
      const drill = await openDrilldown(s.page, 0);
      const rationale = `confirmed by the browser test ${Date.now()}: latency and errors both up`;
      await giveFeedback(s.page, drill, 'confirmed', rationale);
      await s.page.waitForFunction(() => window.__annotations.length > 0, null, { timeout: 10_000 });
      const all = await annotations(s.page);
      expect(all).toHaveLength(1);
      const a = all[0];
      const json = JSON.stringify(a);
      expect(String(a.text)).toContain(rationale);
      expect(json).toMatch(/confirmed/i);
      expect(typeof a.time).toBe('number');
      // The annotation says which entity it is about (tags or text).
      expect(Object.values(top.labels).every((v) => json.includes(v))).toBe(true);
    });
  });

  it('exports every section of the incident summary', async () => {
    const s = await session();
    await run(s, async () => {
      const top = byScore(await oracle(s.page))[0];
      const drill = await openDrilldown(s.page, 0);
      const rationale = `escalated in the export test ${Date.now()}`;
      await giveFeedback(s.page, drill, 'escalated', rationale);
      await s.page.waitForFunction(() => window.__annotations.length > 0, null, { timeout: 10_000 });
      // As in Grafana, the panel sees stored annotations (data.annotations) after the dashboard refreshes.
      await refreshDashboard(s.page);

      const download = s.page.waitForEvent('download', { timeout: 10_000 }).catch(() => undefined);
      await s.page.locator(IDS.export).first().click();
      const text = await exportedText(s.page, download);

      const sections: Array<[string, boolean]> = [
        ['entity', Object.values(top.labels).every((v) => text.includes(v))],
        ['time range', /2026-01-05/.test(text)],
        ['peak', /peak/i.test(text)],
        ['tier crossings', /tier/i.test(text) && /(cross|transition|chang|enter)/i.test(text)],
        ['contributions', /contribut/i.test(text)],
        ['observed vs expected', /observed/i.test(text) && /expected/i.test(text)],
        ['annotations / feedback', /(feedback|annotation)/i.test(text) && text.includes(rationale)],
        ['spec version', /preview-fixture/.test(text) && /(version\W{0,3}3\b|v3\b|@3\b)/i.test(text)],
        ['link', /https?:\/\/\S+/.test(text)],
      ];
      const missing = sections.filter(([, ok]) => !ok).map(([name]) => name);
      expect({ missing, excerpt: missing.length ? text.slice(-2500) : '' }).toEqual({ missing: [], excerpt: '' });

      // The Markdown download (when offered) is the same report.
      const button = s.page.locator(IDS.exportDownload).first();
      if ((await button.count()) > 0) {
        const [file] = await Promise.all([s.page.waitForEvent('download', { timeout: 10_000 }), button.click()]);
        expect((await downloadText(file))?.trim()).toBe(text.trim());
      }
    });
  });

  it('shows the label value <img src=x onerror=alert(1)> as text and runs no script', async () => {
    const s = await session();
    await run(s, async () => {
      const row = s.page.locator(IDS.entity).filter({ hasText: XSS });
      await expect(row.count()).resolves.toBe(1);
      await s.page.waitForTimeout(300);
      const probe = () =>
        s.page.evaluate(() => ({
          injected: document.querySelectorAll('img[src="x"], img[onerror], [onerror]').length,
          escaped: document.body.innerHTML.includes('&lt;img src=x onerror=alert(1)&gt;'),
        }));
      expect(await probe()).toEqual({ injected: 0, escaped: true });

      // The same label in the drill-down (when the panel has one).
      await row.click();
      const drill = s.page.locator(IDS.drilldown).first();
      if (
        await drill.waitFor({ state: 'visible', timeout: 5_000 }).then(
          () => true,
          () => false
        )
      ) {
        await s.page.waitForTimeout(300);
        expect((await probe()).injected).toBe(0);
        expect(await drill.textContent()).toContain(XSS);
        // And in the export (a modal with the report), when there is one.
        const exportButton = drill.locator(IDS.export).first();
        if ((await exportButton.count()) > 0) {
          await exportButton.click();
          await s.page.waitForTimeout(500);
          expect((await probe()).injected).toBe(0);
        }
      }
      expect(s.log.dialogs).toEqual([]);
      expect(s.log.pageErrors).toEqual([]);
    });
  });

  it('renders in the dark and light themes (screenshots)', async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const backgrounds: Record<string, string> = {};
    for (const theme of ['dark', 'light'] as const) {
      const s = await session(`?theme=${theme}`);
      await run(s, async () => {
        // With the drill-down open when the panel has one: the screenshot then shows both.
        await openDrilldown(s.page, 0, 5_000).catch(() => undefined);
        await s.page.waitForTimeout(300);
        const file = path.join(SCREENSHOTS, `panel-${theme}.png`);
        await s.page.screenshot({ path: file, fullPage: false });
        expect(fs.statSync(file).size).toBeGreaterThan(10_000);
        backgrounds[theme] = await s.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(s.log.pageErrors).toEqual([]);
      });
    }
    expect(backgrounds.dark).not.toEqual(backgrounds.light);
  });
});

/** The export's text, wherever the panel puts it: an element on the page, the clipboard or a download. */
async function exportedText(page: Page, download: Promise<Download | undefined>): Promise<string> {
  const fromPage = page
    .waitForFunction(
      (sel) => {
        const el = document.querySelector(sel) as HTMLTextAreaElement | HTMLElement | null;
        const text = el ? ('value' in el && el.value ? el.value : el.textContent) : null;
        return text || window.__clipboard[window.__clipboard.length - 1] || false;
      },
      IDS.exportText,
      { timeout: 10_000 }
    )
    .then((h) => h.jsonValue() as Promise<string>)
    .catch(() => undefined);
  const fromDownload = download.then((d) => (d ? downloadText(d) : undefined));
  const text = (await Promise.race([fromPage, fromDownload])) ?? (await fromPage) ?? (await fromDownload);
  if (!text) {
    throw new Error(
      `clicking anomalyscore-export produced no download, no clipboard text and no ${IDS.exportText} element`
    );
  }
  return text;
}

async function downloadText(d: Download): Promise<string | undefined> {
  const file = await d.path();
  return file ? fs.readFileSync(file, 'utf8') : undefined;
}
