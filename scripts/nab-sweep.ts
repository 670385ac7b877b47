/**
 * Sensitivity sweep for the NAB spec: `tsx scripts/nab-sweep.ts --data DIR --labels FILE [--spec FILE]`.
 * Scores the corpus with the spec and with one-knob variants of it (half-life, refractory, baseline
 * windows scaled, each signal left out) and prints one line per variant with the three profile
 * scores, the standard TP/FP counts and the per-category standard scores. Development aid only: the
 * detector never sees the labels; they are read here to score.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { evaluateCorpus, NAB_PROFILES, subsetScore } from '../src/scoring/evaluate/nab';
import { parseNabCsv, parseNabWindows } from '../src/scoring/evaluate/nabData';
import { NabSpec, parseNabSpec, scoreNabSeries } from '../src/scoring/evaluate/nabDetector';

function arg(name: string, dflt?: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : dflt;
  if (v === undefined) {
    throw new Error(`usage: nab-sweep --data DIR --labels FILE [--spec FILE] (missing ${name})`);
  }
  return v;
}

function variants(spec: NabSpec): Array<[string, NabSpec]> {
  const out: Array<[string, NabSpec]> = [['spec as is', spec]];
  const onset = (o: Partial<NabSpec['onset']>): NabSpec => ({ ...spec, onset: { ...spec.onset, ...o } });
  for (const h of [2500, 5000, 20000]) {
    out.push([`half_life ${h}`, onset({ halfLife: h })]);
  }
  for (const r of [0, 20, 50, 200]) {
    out.push([`refractory ${r}`, onset({ refractory: r })]);
  }
  for (const f of [0.5, 2]) {
    const signals = spec.signals.map((s) => ({ ...s, window: Math.max(2, Math.round(s.window * f)) }));
    out.push([`all windows x${f}`, { ...spec, signals }]);
  }
  for (const s of spec.signals) {
    out.push([`without ${s.id}`, { ...spec, signals: spec.signals.filter((x) => x !== s) }]);
  }
  return out;
}

function main(): void {
  const data = arg('--data');
  const windows = parseNabWindows(fs.readFileSync(arg('--labels'), 'utf8'));
  const spec = parseNabSpec(
    parseYaml(fs.readFileSync(arg('--spec', path.join(__dirname, '..', 'nab', 'spec.yaml')), 'utf8'))
  );
  const series = fs
    .readdirSync(data)
    .sort()
    .flatMap((c) =>
      fs.statSync(path.join(data, c)).isDirectory()
        ? fs
            .readdirSync(path.join(data, c))
            .filter((f) => f.endsWith('.csv'))
            .sort()
            .map((f) => ({ name: `${c}/${f}`, ...parseNabCsv(fs.readFileSync(path.join(data, c, f), 'utf8')) }))
        : []
    );
  const cats = [...new Set(series.map((s) => s.name.split('/')[0]))].filter((c) =>
    series.some((s) => s.name.startsWith(`${c}/`) && (windows[s.name] ?? []).length > 0)
  );
  console.log(['variant', 'standard', 'low_FP', 'low_FN', 'TP', 'FP', ...cats].join('\t'));
  for (const [label, v] of variants(spec)) {
    const corpus = series.map((s) => ({
      name: s.name,
      t: s.t,
      scores: scoreNabSeries(s.t, s.value, v),
      windows: windows[s.name] ?? [],
    }));
    const res = evaluateCorpus(corpus, NAB_PROFILES);
    const tp = res.standard.perSeries.reduce((a, s) => a + s.tp, 0);
    const fp = res.standard.perSeries.reduce((a, s) => a + s.fp, 0);
    const perCat = cats.map((c) =>
      subsetScore(res.standard, new Set(series.filter((s) => s.name.startsWith(`${c}/`)).map((s) => s.name)))
    );
    const f = (x: number) => x.toFixed(2);
    console.log(
      [
        label,
        f(res.standard.score),
        f(res.reward_low_FP.score),
        f(res.reward_low_FN.score),
        tp,
        fp,
        ...perCat.map((x) => x.toFixed(1)),
      ].join('\t')
    );
  }
}

try {
  main();
} catch (e) {
  console.error(`nab-sweep: ${(e as Error).message}`);
  process.exit(1);
}
