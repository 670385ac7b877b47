/**
 * Tiny browser helpers shared by the plugins (app pages, data source editors, panel): downloading a
 * file and copying text. No Grafana or React import; each plugin puts them behind its own
 * injectable services so tests can capture them.
 */

/** Saves `blob` as `fileName` through a temporary anchor (the object URL is revoked right after). */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Copies `text` to the clipboard; rejects when the clipboard is not available (no secure context). */
export function copyText(text: string): Promise<void> {
  return navigator.clipboard?.writeText
    ? navigator.clipboard.writeText(text)
    : Promise.reject(new Error('the clipboard is not available here (it needs a secure context)'));
}
