/**
 * `npx tsx demo/generator/cli.ts [--seed 42] [--days 7] [--out demo/out] [--models 3|a,b,c]
 *   [--versions 2|v1,v2] [--regions 2|eu,us] [--incidents 18|kind=n,…|none] [--surges 4]
 *   [--deploys 4] [--start 2025-01-06T00:00:00Z] [--step 60] [--no-logs]`
 *
 * Writes OUT/metrics.om (OpenMetrics for promtool), OUT/incidents.json (ground truth) and
 * OUT/loki-push.json (Loki push body); the last stdout line is a JSON summary.
 */
import * as path from 'node:path';

import { parseGeneratorArgs } from './options';
import { writeDemo } from './openmetrics';

function main(): void {
  const { opts, out, logs } = parseGeneratorArgs(process.argv.slice(2), path.resolve(__dirname, '..', 'out'));
  const summary = writeDemo(opts, out, logs);
  process.stdout.write(JSON.stringify(summary) + '\n');
}

try {
  main();
} catch (e) {
  process.stderr.write(`demo generator: ${(e as Error).message}\n`);
  process.exit(2);
}
