/**
 * Runs the generator in a plain Node process for the integration suites: jest's VM context makes
 * Math-heavy code (the simulator) 5–30× slower than plain Node, so the suites generate here
 * (through tsx) and read the result back. Usage: tsx generateChild.ts '<json request>'.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

import { generate, lokiPushBody, writeOpenMetricsChunks, writeOpenMetricsFile } from '../../demo/generator/openmetrics';
import { GeneratorOptions } from '../../demo/generator/types';

export interface ChildRequest {
  opts: GeneratorOptions;
  /** 'dump': write values (raw float64) + JSON meta; 'hash': print sha256 of the outputs; 'openmetrics': write the file. */
  mode: 'dump' | 'hash' | 'openmetrics';
  withLogs: boolean;
  out: string;
}

function main(): void {
  const req = JSON.parse(process.argv[2]) as ChildRequest;
  const t0 = Date.now();
  const data = generate(req.opts, req.withLogs);
  const generateMs = Date.now() - t0;
  if (req.mode === 'hash') {
    const om = createHash('sha256');
    writeOpenMetricsChunks(data, (c) => om.update(c));
    const loki = createHash('sha256')
      .update(JSON.stringify(lokiPushBody(data)))
      .digest('hex');
    process.stdout.write(JSON.stringify({ om: om.digest('hex'), loki, truth: JSON.stringify(data.truth) }) + '\n');
    return;
  }
  if (req.mode === 'openmetrics') {
    const t1 = Date.now();
    const bytes = writeOpenMetricsFile(data, req.out);
    fs.writeFileSync(req.out + '.truth.json', JSON.stringify(data.truth));
    process.stdout.write(
      JSON.stringify({ generateMs, writeMs: Date.now() - t1, bytes, samples: data.values.length }) + '\n'
    );
    return;
  }
  fs.writeFileSync(
    req.out + '.f64',
    new Uint8Array(data.values.buffer, data.values.byteOffset, data.values.byteLength)
  );
  fs.writeFileSync(
    req.out + '.json',
    JSON.stringify({ truth: data.truth, layout: data.layout, times: Array.from(data.times), logs: data.logs })
  );
  process.stdout.write(JSON.stringify({ generateMs }) + '\n');
}

main();
