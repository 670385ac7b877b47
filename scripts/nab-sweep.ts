/**
 * Sensitivity sweep for the NAB spec: `tsx scripts/nab-sweep.ts --data DIR --labels FILE [--spec FILE]`.
 * Scores the corpus with the spec and with one-knob variants of it: every numeric knob at x0.5 and
 * x1.5 (rarity history, anchor and block, the refractory period, each signal's baseline window,
 * smoothing and seasonal tolerance, all windows at once), each signal left out, and the other ways
 * of combining the evidence. Prints a Markdown table, one row per variant, with the three profile
 * scores, the standard TP/FP counts and the per-category standard scores, then the largest drop of
 * the standard score over the +-50 % variants. Development aid only: the detector never sees the
 * labels; they are read here to score. Statistics and evidence are cached per signal, so variants
 * that share a signal compute it once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { evaluateCorpus, NAB_PROFILES, subsetScore, TimeWindow } from '../src/scoring/evaluate/nab';
import { parseNabCsv, parseNabWindows } from '../src/scoring/evaluate/nabData';
import {
  alertScore,
  combineEvidence,
  inputGroup,
  NabSignalSpec,
  NabSpec,
  parseNabSpec,
  signalStatistic,
} from '../src/scoring/evaluate/nabDetector';
import { recordEvidence, RecordRarityConfig } from '../src/scoring/evaluate/nabRarity';

function arg(name: string, dflt?: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : dflt;
  if (v === undefined) {
    throw new Error(`usage: nab-sweep --data DIR --labels FILE [--spec FILE] (missing ${name})`);
  }
  return v;
}

interface Variant {
  label: string;
  spec: NabSpec;
  /** True for the +-50 % variants of a numeric knob (the flatness summary reads these). */
  scaled: boolean;
}

const HALF_AND_ONE_AND_A_HALF = [0.5, 1.5];

/** A duration for a row label: days from one day up (17.5d), else hours or minutes (2.5m). */
function fmtMs(ms: number): string {
  const round = (x: number) => String(Math.round(x * 10) / 10);
  return ms >= 86_400_000
    ? `${round(ms / 86_400_000)}d`
    : ms >= 3_600_000
      ? `${round(ms / 3_600_000)}h`
      : `${round(ms / 60_000)}m`;
}

function variants(spec: NabSpec): Variant[] {
  const out: Variant[] = [{ label: 'spec as is', spec, scaled: false }];
  const rarity = (r: Partial<RecordRarityConfig>): NabSpec => ({ ...spec, rarity: { ...spec.rarity, ...r } });
  const withSignal = (k: number, s: Partial<NabSignalSpec>): NabSpec => ({
    ...spec,
    signals: spec.signals.map((x, j) => (j === k ? { ...x, ...s } : x)),
  });
  for (const f of HALF_AND_ONE_AND_A_HALF) {
    out.push({
      label: `rarity.history ${fmtMs(spec.rarity.historyMs * f)}`,
      spec: rarity({ historyMs: spec.rarity.historyMs * f }),
      scaled: true,
    });
  }
  for (const f of HALF_AND_ONE_AND_A_HALF) {
    out.push({
      label: `rarity.anchor ${spec.rarity.anchor * f}`,
      spec: rarity({ anchor: spec.rarity.anchor * f }),
      scaled: true,
    });
  }
  for (const f of HALF_AND_ONE_AND_A_HALF) {
    out.push({
      label: `rarity.block ${fmtMs(spec.rarity.blockMs * f)}`,
      spec: rarity({ blockMs: spec.rarity.blockMs * f }),
      scaled: true,
    });
  }
  for (const f of HALF_AND_ONE_AND_A_HALF) {
    const refractory = Math.round(spec.onset.refractory * f);
    out.push({ label: `onset.refractory ${refractory}`, spec: { ...spec, onset: { refractory } }, scaled: true });
  }
  spec.signals.forEach((s, k) => {
    for (const f of HALF_AND_ONE_AND_A_HALF) {
      const window = Math.max(2, Math.round(s.window * f));
      out.push({ label: `${s.id}.window ${window}`, spec: withSignal(k, { window }), scaled: true });
    }
    if (s.smooth > 1) {
      for (const f of HALF_AND_ONE_AND_A_HALF) {
        const smooth = Math.max(1, Math.round(s.smooth * f));
        out.push({ label: `${s.id}.smooth ${smooth}`, spec: withSignal(k, { smooth }), scaled: true });
      }
    }
    if (s.tolerance !== undefined) {
      for (const f of HALF_AND_ONE_AND_A_HALF) {
        const tolerance = s.tolerance * f;
        out.push({ label: `${s.id}.tolerance ${fmtMs(tolerance)}`, spec: withSignal(k, { tolerance }), scaled: true });
      }
    }
  });
  for (const f of HALF_AND_ONE_AND_A_HALF) {
    const signals = spec.signals.map((s) => ({ ...s, window: Math.max(2, Math.round(s.window * f)) }));
    out.push({ label: `all windows x${f}`, spec: { ...spec, signals }, scaled: true });
  }
  for (const s of spec.signals) {
    out.push({
      label: `without ${s.id}`,
      spec: { ...spec, signals: spec.signals.filter((x) => x !== s) },
      scaled: false,
    });
  }
  for (const combine of ['by_input', 'sum', 'max'] as const) {
    if (combine !== spec.combine) {
      out.push({ label: `combine ${combine}`, spec: { ...spec, combine }, scaled: false });
    }
  }
  return out;
}

interface Series {
  name: string;
  t: Float64Array;
  value: Float64Array;
  windows: TimeWindow[];
}

function main(): void {
  const data = arg('--data');
  const windows = parseNabWindows(fs.readFileSync(arg('--labels'), 'utf8'));
  const spec = parseNabSpec(
    parseYaml(fs.readFileSync(arg('--spec', path.join(__dirname, '..', 'nab', 'spec.yaml')), 'utf8'))
  );
  const series: Series[] = fs
    .readdirSync(data)
    .sort()
    .flatMap((c) =>
      fs.statSync(path.join(data, c)).isDirectory()
        ? fs
            .readdirSync(path.join(data, c))
            .filter((f) => f.endsWith('.csv'))
            .sort()
            .map((f) => {
              const name = `${c}/${f}`;
              return {
                name,
                ...parseNabCsv(fs.readFileSync(path.join(data, c, f), 'utf8')),
                windows: windows[name] ?? [],
              };
            })
        : []
    );
  const cats = [...new Set(series.map((s) => s.name.split('/')[0]))].filter((c) =>
    series.some((s) => s.name.startsWith(`${c}/`) && s.windows.length > 0)
  );
  // Caches: the |z| of a signal depends on its input and baseline only; its evidence also on the
  // rarity settings.
  const statistics = new Map<string, Float64Array[]>();
  const evidence = new Map<string, Float64Array[]>();
  const signalKey = (s: NabSignalSpec) => JSON.stringify([s.input, s.window, s.smooth, s.period, s.tolerance]);
  const evidenceOf = (s: NabSignalSpec, r: RecordRarityConfig): Float64Array[] => {
    const key = `${signalKey(s)}|${r.blockMs}|${r.historyMs}|${r.anchor}`;
    let e = evidence.get(key);
    if (!e) {
      let z = statistics.get(signalKey(s));
      if (!z) {
        z = series.map((x) => signalStatistic(x.t, x.value, s));
        statistics.set(signalKey(s), z);
      }
      const zs = z;
      e = series.map((x, i) => recordEvidence(x.t, zs[i], r));
      evidence.set(key, e);
    }
    return e;
  };

  console.log(`| variant | standard | low_FP | low_FN | TP | FP | ${cats.join(' | ')} |`);
  console.log(`| --- | --- | --- | --- | --- | --- | ${cats.map(() => '---').join(' | ')} |`);
  let base = NaN;
  let worst = { label: '', score: Infinity };
  for (const v of variants(spec)) {
    const perSignal = v.spec.signals.map((s) => evidenceOf(s, v.spec.rarity));
    const groups = v.spec.signals.map(inputGroup);
    const corpus = series.map((s, i) => ({
      name: s.name,
      t: s.t,
      scores: alertScore(
        combineEvidence(
          perSignal.map((e) => e[i]),
          groups,
          v.spec.combine
        ),
        v.spec.onset.refractory
      ),
      windows: s.windows,
    }));
    const res = evaluateCorpus(corpus, NAB_PROFILES);
    const tp = res.standard.perSeries.reduce((a, s) => a + s.tp, 0);
    const fp = res.standard.perSeries.reduce((a, s) => a + s.fp, 0);
    const perCat = cats.map((c) =>
      subsetScore(res.standard, new Set(series.filter((s) => s.name.startsWith(`${c}/`)).map((s) => s.name)))
    );
    const f = (x: number) => x.toFixed(2);
    const row = [
      f(res.standard.score),
      f(res.reward_low_FP.score),
      f(res.reward_low_FN.score),
      tp,
      fp,
      ...perCat.map((x) => x.toFixed(1)),
    ];
    console.log(`| ${v.label === 'spec as is' ? `**${v.label}**` : v.label} | ${row.join(' | ')} |`);
    if (v.label === 'spec as is') {
      base = res.standard.score;
    } else if (v.scaled && res.standard.score < worst.score) {
      worst = { label: v.label, score: res.standard.score };
    }
  }
  console.log('');
  console.log(`largest drop over the +-50 % variants: ${(worst.score - base).toFixed(2)} (${worst.label})`);
}

try {
  main();
} catch (e) {
  console.error(`nab-sweep: ${(e as Error).message}`);
  process.exit(1);
}
