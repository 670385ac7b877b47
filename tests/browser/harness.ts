/**
 * Shared pieces of the browser suites: the preview server (started exactly as `npm run preview`
 * starts it, on a free port, with fixture frames unless asked otherwise), headless Debian Chromium
 * through playwright-core, and a page wrapper that collects console errors, page errors and failed
 * requests so that a failing test prints them.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { Browser, chromium, ConsoleMessage, Page } from 'playwright-core';

// Types only (they also declare window.__preview, __annotations, __clipboard): no page code runs here.
import type { EntityOracle } from '../../preview/index';
import type {} from '../../preview/runtime';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../preview/chromium';

export const ROOT = path.resolve(__dirname, '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
export const SCREENSHOTS = path.join(ARTIFACTS, 'screenshots');

export const IDS = {
  entity: '[data-testid="anomalyscore-entity"]',
  /** Inside a row: the score it shows (optional). */
  entityScore: '[data-testid="anomalyscore-entity-score"]',
  drilldown: '[data-testid="anomalyscore-drilldown"]',
  contribBar: '[data-testid="anomalyscore-contrib-bar"]',
  scoreValue: '[data-testid="anomalyscore-score-value"]',
  feedback: (kind: FeedbackKind) => `[data-testid="anomalyscore-feedback-${kind}"]`,
  /** Optional: a rationale text box and a submit button, if the feedback form has them. */
  rationale: '[data-testid="anomalyscore-feedback-rationale"]',
  feedbackSubmit: '[data-testid="anomalyscore-feedback-submit"]',
  export: '[data-testid="anomalyscore-export"]',
  /** Where the export shows its text (the report's Markdown), and its Markdown download button. */
  exportText: '[data-testid="anomalyscore-export-markdown"], [data-testid="anomalyscore-export-text"]',
  exportDownload: '[data-testid="anomalyscore-export-md"]',
  panel: '[data-testid="preview-panel"]',
} as const;

export type FeedbackKind = 'acknowledged' | 'escalated' | 'confirmed' | 'false-alarm';

/** Fails with the Debian package to install: CI installs it, so a missing browser is an error, never a skip. */
export function assertChromium(): void {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install the Debian package ` +
        '(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium), ' +
        'or set CHROMIUM_PATH. The browser suites need a real headless Chromium.'
    );
  }
}

export async function launchBrowser(): Promise<Browser> {
  assertChromium();
  // playwright-core gives every launch a fresh temporary profile (its own --user-data-dir).
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export interface PreviewProcess {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts `preview/server.ts` (what `npm run preview` runs) on a free port and waits for its
 * `Preview: URL` line. The bundle is built once by the suite's globalSetup, hence --no-build.
 */
export function startPreview(args: string[] = ['--fixtures'], timeoutMs = 120_000): Promise<PreviewProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'preview', 'server.ts'), '--port', '0', '--no-build', ...args],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '0' } }
    );
    let out = '';
    let done = false;
    const timer = setTimeout(
      () => fail(new Error(`preview server did not start in ${timeoutMs} ms:\n${out}`)),
      timeoutMs
    );
    const fail = (e: Error) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(e);
      }
    };
    const stop = () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          res();
          return;
        }
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(force);
          res();
        });
        child.kill('SIGTERM');
      });
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /^Preview: (http:\/\/\S+)$/m.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({ url: m[1], output: () => out, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => fail(e));
    child.on('exit', (code, signal) =>
      fail(new Error(`preview server exited (${code ?? signal}) before it was ready:\n${out}`))
    );
  });
}

/** Resources the preview cannot serve (Grafana's Inter fonts ship with the Grafana server, not @grafana/ui). */
const EXPECTED_MISSING = [/\/public\/fonts\//];

export interface PageLog {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  dialogs: string[];
  text(): string;
}

export function watchPage(page: Page): PageLog {
  const log: PageLog = {
    consoleErrors: [],
    pageErrors: [],
    failedRequests: [],
    dialogs: [],
    text() {
      const parts = [
        ...log.pageErrors.map((e) => `page error: ${e}`),
        ...log.consoleErrors.map((e) => `console error: ${e}`),
        ...log.failedRequests.map((e) => `failed request: ${e}`),
        ...log.dialogs.map((e) => `dialog: ${e}`),
      ];
      return parts.length ? parts.join('\n') : '(no console errors, page errors or failed requests)';
    },
  };
  const expected = (url: string) => EXPECTED_MISSING.some((re) => re.test(url));
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' && !expected(m.location().url ?? '')) {
      log.consoleErrors.push(`${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
    }
  });
  page.on('pageerror', (e) => log.pageErrors.push(e.stack ?? e.message));
  page.on('requestfailed', (r) => {
    if (!expected(r.url())) {
      log.failedRequests.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !expected(r.url())) {
      log.failedRequests.push(`${r.request().method()} ${r.url()}: HTTP ${r.status()}`);
    }
  });
  page.on('dialog', (d) => {
    log.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  return log;
}

export type Oracle = EntityOracle;

/** Opens the preview and waits until the data source answered and the panel rendered. */
export async function openPreview(page: Page, url: string, query = ''): Promise<void> {
  await page.goto(url + query, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__preview && window.__preview.state !== 'loading', null, { timeout: 90_000 });
  const state = await page.evaluate(() => ({ state: window.__preview.state, errors: window.__preview.errors }));
  if (state.state !== 'ready') {
    throw new Error(`preview page failed: ${state.errors.join('; ')}`);
  }
}

/** What the data source returned, per entity, read by the page from the frames (not from the panel). */
export function oracle(page: Page): Promise<Oracle[]> {
  return page.evaluate(() => window.__preview.entities);
}

/** Runs `fn`, and on failure adds the page's console errors (and the server output) to the error. */
export async function withLog<T>(log: PageLog, fn: () => Promise<T>, extra?: () => string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    err.message += `\n\n--- browser log ---\n${log.text()}${extra ? `\n--- preview server ---\n${extra().slice(-3000)}` : ''}`;
    throw err;
  }
}

/** The number in a text like "Score 83.4" or "83". */
export function numberIn(text: string | null): number {
  const m = /-?\d+(?:\.\d+)?/.exec(text ?? '');
  return m ? Number(m[0]) : NaN;
}
