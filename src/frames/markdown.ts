/**
 * Markdown that is safe to paste anywhere (incident reviews, tickets, chat). Every value that came
 * from outside (label values, signal names, annotation texts, rationales, ids) goes through
 * `escapeMarkdown`; link targets go through `safeUrl`. Pure: no Grafana or React import, so the
 * panel and the app pages share it.
 */

/** An ISO-8601 time for a ms timestamp; the raw value as text when it is not a representable time. */
export function isoTime(t: number): string {
  return Number.isFinite(t) && Math.abs(t) < 8.64e15 ? new Date(t).toISOString() : String(t);
}

/**
 * Text safe inside Markdown: no HTML, no links or images, no emphasis, no block markers. Inline
 * Markdown punctuation (including `!`) is backslash-escaped, `&`, `<`, `>`, `"` become entities,
 * line breaks are folded to spaces, and block markers at the start are escaped.
 */
export function escapeMarkdown(text: string): string {
  const escaped = String(text)
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_{}[\]()|~!]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  // Block markers only matter at the start of a line: headings, lists, "1." lists.
  return escaped.replace(/^(\s*)([#+\-=]|\d+(?=[.)](?:\s|$)))/, (_m, space: string, c: string) => `${space}\\${c}`);
}

/**
 * A Markdown link target: only http(s) or a site-relative path ("/d/…", not "//host"), with the
 * characters that would end the link encoded. Anything else gives '' (the caller shows it as text).
 */
export function safeUrl(url: string): string {
  if (!/^https?:\/\//i.test(url) && !/^\/(?!\/)/.test(url)) {
    return '';
  }
  // encodeURIComponent leaves ( ) ' as they are: a ")" would end the link, so encode by hand.
  return url.replace(/[()<>\s"'`]/g, (c) =>
    c.charCodeAt(0) < 0x80 ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : encodeURIComponent(c)
  );
}
