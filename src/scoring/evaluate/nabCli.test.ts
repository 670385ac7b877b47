/** @jest-environment node */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseNabCsv, parseNabTimestamp, parseNabWindows } from './nabData';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function makeCorpus(dir: string): Record<string, number> {
  const rows: Record<string, number> = {};
  const write = (rel: string, n: number, irregular: boolean) => {
    const lines = ['timestamp,value'];
    let t = Date.UTC(2015, 0, 1);
    for (let i = 0; i < n; i++) {
      t += (irregular && i % 7 === 3 ? 13 : 5) * 60_000;
      const ts = new Date(t).toISOString().slice(0, 19).replace('T', ' ');
      const v = i === Math.floor(n * 0.7) ? 500 : 10 + Math.sin(i / 5) + (i % 3);
      lines.push(`${ts},${v}`);
    }
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), lines.join('\n') + '\n');
    rows[rel] = n;
  };
  write('catA/one.csv', 900, false);
  write('catA/two.csv', 250, true);
  write('catB/three.csv', 1200, true);
  return rows;
}

describe('nab data formats', () => {
  it('parses NAB timestamps as UTC, with or without fractions', () => {
    expect(parseNabTimestamp('2014-04-10 07:15:00')).toBe(Date.UTC(2014, 3, 10, 7, 15, 0));
    expect(parseNabTimestamp('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15, 0));
    expect(() => parseNabTimestamp('10/04/2014')).toThrow(/bad timestamp/);
  });

  it('parses windows files', () => {
    const w = parseNabWindows('{"a/b.csv": [["2014-04-10 07:15:00.000000", "2014-04-11 16:45:00.000000"]], "a/c.csv": []}');
    expect(w['a/b.csv']).toEqual([{ start: Date.UTC(2014, 3, 10, 7, 15), end: Date.UTC(2014, 3, 11, 16, 45) }]);
    expect(w['a/c.csv']).toEqual([]);
  });
});

describe('npm run nab (scripts/nab.ts)', () => {
  it('writes one row per input row, same order, scores in [0, 1]; prints the JSON last line', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nab-cli-'));
    const data = path.join(tmp, 'data');
    const out = path.join(tmp, 'out');
    const rows = makeCorpus(data);
    const labels = path.join(tmp, 'windows.json');
    fs.writeFileSync(
      labels,
      JSON.stringify({ 'catA/one.csv': [['2015-01-03 04:00:00.000000', '2015-01-03 06:00:00.000000']], 'catA/two.csv': [], 'catB/three.csv': [] })
    );
    const stdout = execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', 'nab.ts'), '--data', data, '--out', out, '--score', '--labels', labels],
      { cwd: ROOT, encoding: 'utf8' }
    );
    for (const [rel, n] of Object.entries(rows)) {
      const input = parseNabCsv(fs.readFileSync(path.join(data, rel), 'utf8'));
      const text = fs.readFileSync(path.join(out, rel), 'utf8').trim().split('\n');
      expect(text[0]).toBe('timestamp,value,anomaly_score');
      expect(text).toHaveLength(n + 1);
      text.slice(1).forEach((line, i) => {
        const [ts, v, s] = line.split(',');
        expect(ts).toBe(input.timestampText[i]);
        expect(v).toBe(input.valueText[i]);
        const score = Number(s);
        expect(score >= 0 && score <= 1).toBe(true);
      });
    }
    const last = stdout.trim().split('\n').pop()!;
    const json = JSON.parse(last);
    expect(Object.keys(json).sort()).toEqual(['reward_low_FN', 'reward_low_FP', 'standard']);
    for (const v of Object.values(json)) {
      expect(typeof v).toBe('number');
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('fails with a usage message without --data/--out', () => {
    expect(() =>
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', 'nab.ts')], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
      })
    ).toThrow(/usage/);
  }, 60_000);
});
