/**
 * NAB runner: `npm run nab -- --data DIR --out DIR [--spec FILE] [--score --labels FILE]`.
 * Scores every DIR/category/file.csv (columns timestamp,value) with ONE global spec (default
 * nab/spec.yaml), writes OUT/category/file.csv with timestamp,value,anomaly_score (score in [0, 1],
 * one row per input row, same order). Detection never reads labels. With --score --labels FILE
 * (combined_windows.json) it prints the NAB table of the three profiles and, as the last line, JSON
 * {"standard": x, "reward_low_FP": y, "reward_low_FN": z}.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { evaluateCorpus, NAB_PROFILES, subsetScore, CorpusSeries } from '../src/scoring/evaluate/nab';
import { formatNabResult, parseNabCsv, parseNabWindows } from '../src/scoring/evaluate/nabData';
import { parseNabSpec, scoreNabSeries } from '../src/scoring/evaluate/nabDetector';

interface Args {
  data?: string;
  out?: string;
  spec: string;
  score: boolean;
  labels?: string;
  quiet: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { spec: path.join(__dirname, '..', 'nab', 'spec.yaml'), score: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) {
        throw new Error(`${k} needs a value`);
      }
      return v;
    };
    if (k === '--data') {
      a.data = next();
    } else if (k === '--out') {
      a.out = next();
    } else if (k === '--spec') {
      a.spec = next();
    } else if (k === '--labels') {
      a.labels = next();
    } else if (k === '--score') {
      a.score = true;
    } else if (k === '--quiet') {
      a.quiet = true;
    } else {
      throw new Error(`unknown argument ${k}`);
    }
  }
  if (!a.data || !a.out) {
    throw new Error('usage: nab --data DIR --out DIR [--spec FILE] [--score --labels FILE]');
  }
  if (a.score && !a.labels) {
    throw new Error('--score needs --labels FILE (combined_windows.json)');
  }
  return a;
}

/** category/file.csv paths under dir, sorted. */
function listCsv(dir: string): string[] {
  const out: string[] = [];
  for (const cat of fs.readdirSync(dir).sort()) {
    const cdir = path.join(dir, cat);
    if (!fs.statSync(cdir).isDirectory()) {
      continue;
    }
    for (const f of fs.readdirSync(cdir).sort()) {
      if (f.endsWith('.csv')) {
        out.push(`${cat}/${f}`);
      }
    }
  }
  return out;
}

function fmt(x: number, w = 8, d = 2): string {
  return (Number.isFinite(x) ? x.toFixed(d) : 'n/a').padStart(w);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const spec = parseNabSpec(parseYaml(fs.readFileSync(args.spec, 'utf8')));
  const files = listCsv(args.data!);
  if (files.length === 0) {
    throw new Error(`no category/*.csv under ${args.data}`);
  }
  const scored: Array<{ name: string; t: Float64Array; scores: Float64Array }> = [];
  const t0 = Date.now();
  let rows = 0;
  for (const rel of files) {
    const series = parseNabCsv(fs.readFileSync(path.join(args.data!, rel), 'utf8'));
    const scores = scoreNabSeries(series.t, series.value, spec);
    const dest = path.join(args.out!, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, formatNabResult(series, scores));
    scored.push({ name: rel, t: series.t, scores });
    rows += series.t.length;
  }
  if (!args.quiet) {
    console.log(`scored ${files.length} files, ${rows} rows with spec "${spec.id}" in ${Date.now() - t0} ms -> ${args.out}`);
  }
  if (!args.score) {
    return;
  }
  const windows = parseNabWindows(fs.readFileSync(args.labels!, 'utf8'));
  const corpus: CorpusSeries[] = scored.map((s) => ({ ...s, windows: windows[s.name] ?? [] }));
  const res = evaluateCorpus(corpus, NAB_PROFILES);
  const profiles = Object.keys(NAB_PROFILES) as Array<keyof typeof NAB_PROFILES>;
  console.log('');
  console.log(`${'profile'.padEnd(16)}${'score'.padStart(8)}${'threshold'.padStart(11)}${'raw'.padStart(9)}${'null'.padStart(9)}${'perfect'.padStart(9)}${'TP'.padStart(5)}${'FN'.padStart(5)}${'FP'.padStart(6)}`);
  for (const p of profiles) {
    const r = res[p];
    const tp = r.perSeries.reduce((a, s) => a + s.tp, 0);
    const fn = r.perSeries.reduce((a, s) => a + s.fn, 0);
    const fp = r.perSeries.reduce((a, s) => a + s.fp, 0);
    console.log(`${p.padEnd(16)}${fmt(r.score)}${fmt(r.threshold, 11, 4)}${fmt(r.raw, 9)}${fmt(r.null, 9)}${fmt(r.perfect, 9)}${String(tp).padStart(5)}${String(fn).padStart(5)}${String(fp).padStart(6)}`);
  }
  // Per-category standard scores (at the corpus threshold); categories without windows: raw FP cost.
  console.log('');
  console.log(`${'category (standard)'.padEnd(26)}${'score'.padStart(8)}${'windows'.padStart(9)}${'FP'.padStart(6)}`);
  const cats = [...new Set(scored.map((s) => s.name.split('/')[0]))];
  for (const c of cats) {
    const names = new Set(scored.filter((s) => s.name.startsWith(`${c}/`)).map((s) => s.name));
    const per = res.standard.perSeries.filter((s) => names.has(s.name));
    const nWin = per.reduce((a, s) => a + s.windows.length, 0);
    const fp = per.reduce((a, s) => a + s.fp, 0);
    const score = nWin > 0 ? subsetScore(res.standard, names) : per.reduce((a, s) => a + s.raw, 0);
    console.log(`${c.padEnd(26)}${fmt(score)}${String(nWin).padStart(9)}${String(fp).padStart(6)}${nWin > 0 ? '' : '  (raw FP cost)'}`);
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({
      standard: round(res.standard.score),
      reward_low_FP: round(res.reward_low_FP.score),
      reward_low_FN: round(res.reward_low_FN.score),
    })
  );
}

try {
  main();
} catch (e) {
  console.error(`nab: ${(e as Error).message}`);
  process.exit(1);
}
