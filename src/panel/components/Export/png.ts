/**
 * The timeline as a PNG: uPlot draws the series on one canvas (and Grafana's plugins may add
 * more); every visible canvas under the container is painted, at its on-screen position and device
 * pixel size, onto one offscreen canvas over the panel background.
 */
export async function canvasesToPng(container: HTMLElement | null, background: string): Promise<Blob | null> {
  if (!container) {
    return null;
  }
  const canvases = Array.from(container.querySelectorAll('canvas')).filter((c) => c.width > 0 && c.height > 0);
  if (canvases.length === 0) {
    return null;
  }
  const box = container.getBoundingClientRect();
  const ratio = typeof window !== 'undefined' && window.devicePixelRatio > 0 ? window.devicePixelRatio : 1;
  const out = document.createElement('canvas');
  out.width = Math.max(1, Math.round(box.width * ratio));
  out.height = Math.max(1, Math.round(box.height * ratio));
  const ctx = out.getContext('2d');
  if (!ctx) {
    return null;
  }
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  for (const c of canvases) {
    const r = c.getBoundingClientRect();
    ctx.drawImage(c, (r.left - box.left) * ratio, (r.top - box.top) * ratio, r.width * ratio, r.height * ratio);
  }
  return new Promise((resolve) => out.toBlob((b) => resolve(b), 'image/png'));
}
