import { escapeMarkdown, isoTime, safeUrl } from './markdown';

describe('escapeMarkdown', () => {
  it('escapes markdown and html', () => {
    expect(escapeMarkdown('[x](javascript:alert(1)) *b* <b>&')).toBe(
      '\\[x\\]\\(javascript:alert\\(1\\)\\) \\*b\\* &lt;b&gt;&amp;'
    );
    expect(escapeMarkdown('a\nb')).toBe('a b');
    expect(escapeMarkdown('# title - 1. x')).toBe('\\# title - 1. x');
    expect(escapeMarkdown('12. x')).toBe('\\12. x');
    expect(escapeMarkdown('![x](https://t.example/p.png)')).toBe('\\!\\[x\\]\\(https://t.example/p.png\\)');
  });
});

describe('safeUrl', () => {
  it('allows only http(s) and site-relative targets, with link-ending characters encoded', () => {
    expect(safeUrl('https://g.example/d/x?from=1&to=2')).toBe('https://g.example/d/x?from=1&to=2');
    expect(safeUrl('/d/anomalyscore?var-model=a b')).toBe('/d/anomalyscore?var-model=a%20b');
    expect(safeUrl('https://g.example/(x)')).toBe('https://g.example/%28x%29');
    expect(safeUrl('javascript:alert(1)')).toBe('');
    expect(safeUrl('//evil.example/x')).toBe('');
    expect(safeUrl('data:text/html,<img src=x onerror=alert(1)>')).toBe('');
  });
});

describe('isoTime', () => {
  it('formats ms timestamps and leaves non-times as text', () => {
    expect(isoTime(Date.UTC(2024, 4, 1, 7, 30))).toBe('2024-05-01T07:30:00.000Z');
    expect(isoTime(NaN)).toBe('NaN');
  });
});
