/**
 * Shared by `npm run backtest` and `npm run backtest:demo`: score a spec ONCE through the REAL data
 * source, keep the frames' per-signal severities for calibration, and check that re-running the
 * composite and the tiers on them reproduces the data source's tiers.
 */
import type { DataFrame } from '@grafana/data';

import {
  cachedEntitiesFromFrames,
  rescore,
  type CachedEntity,
  type ScoreFrameLike,
} from '../../src/scoring/evaluate/calibrate';
import { formatSpecErrors, validateSpec, type ScoreSpec, type ScoreSpecInput } from '../../src/scoring/spec';
import { createDataSource, queryScoreFrames } from './run';
import type { PushBody } from './upstreams';

export interface ScoredRange {
  /** The effective spec the data source scored with (meta.custom.spec), or the validated input. */
  spec: ScoreSpec;
  entities: CachedEntity[];
  frames: DataFrame[];
  errors: string[];
  pipelineMs: number;
  /** Share of points where composite + tiers re-run on the cached severities give the same tier. */
  rescoreAgreement: number;
}

export async function scoreRange(
  prometheusUrl: string,
  specInput: ScoreSpecInput,
  opts: { from: number; to: number; stepMs: number; lokiBody?: PushBody; history?: string }
): Promise<ScoredRange> {
  const checked = validateSpec(specInput);
  if (!checked.ok || !checked.spec) {
    throw new Error(`invalid spec:\n${formatSpecErrors(checked.errors)}`);
  }
  const ds = createDataSource(prometheusUrl, opts.lokiBody);
  const t0 = Date.now();
  const { frames, errors } = await queryScoreFrames(ds, specInput, {
    from: opts.from,
    to: opts.to,
    stepMs: opts.stepMs,
    history: opts.history,
    requestId: 'backtest',
  });
  const pipelineMs = Date.now() - t0;
  const scoreFrames = frames.filter(
    (f) => f.fields.some((x) => x.name === 'score') && f.fields.some((x) => x.name === 'Time')
  );
  // meta.custom.spec: the effective spec the data source scored with (frame contract, DESIGN §4).
  const meta = scoreFrames[0]?.meta?.custom as { spec?: ScoreSpec } | undefined;
  const spec = meta?.spec ?? checked.spec;
  const entities = cachedEntitiesFromFrames(scoreFrames as unknown as ScoreFrameLike[]);
  const again = rescore(spec, entities);
  let same = 0;
  let total = 0;
  entities.forEach((e, i) => {
    for (let j = 0; j < e.tier.length; j++) {
      total++;
      if (again[i].tier[j] === e.tier[j]) {
        same++;
      }
    }
  });
  return { spec, entities, frames: scoreFrames, errors, pipelineMs, rescoreAgreement: total ? same / total : NaN };
}
