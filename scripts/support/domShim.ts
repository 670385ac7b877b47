/**
 * @grafana/data touches `window` (and localStorage) when it loads. Command-line tools that run the
 * real data source pipeline in Node import this module FIRST to provide a jsdom window.
 */
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
const g = globalThis as unknown as Record<string, unknown>;
const w = dom.window as unknown as Record<string, unknown>;
// Everything the window has and Node does not (Element, HTMLElement, document, localStorage ...).
for (const key of Object.getOwnPropertyNames(w)) {
  if (!(key in g)) {
    g[key] = w[key];
  }
}
g.window = w;
// @grafana/runtime reads its config from the boot data Grafana's index page sets.
w.grafanaBootData = { settings: {}, user: {}, navTree: [] };
// Node has its own Event classes; jsdom's EventTargets only accept jsdom's.
for (const key of ['Event', 'CustomEvent', 'EventTarget', 'MessageEvent']) {
  g[key] = w[key];
}
// jsdom has no matchMedia; uPlot (loaded through @grafana/ui) asks for one at import time.
if (typeof g.matchMedia !== 'function') {
  g.matchMedia = () => ({
    matches: false,
    addListener() {},
    removeListener() {},
    addEventListener() {},
    removeEventListener() {},
  });
}
// @grafana/ui requires stylesheets (uPlot's CSS); in Node they carry nothing we need.
const Module = require('node:module') as { _extensions: Record<string, (m: unknown) => void> };
Module._extensions['.css'] = () => {};
