/** Generation out of jest's VM (see generateChild.ts), returning the same GeneratedData. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { GeneratedData } from '../../demo/generator/openmetrics';
import { GeneratorOptions } from '../../demo/generator/types';
import type { ChildRequest } from './generateChild';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const SCRIPT = path.join(__dirname, 'generateChild.ts');

function runChild(req: ChildRequest): string {
  const r = spawnSync(TSX, [SCRIPT, JSON.stringify(req)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(`generator child failed (${r.status ?? r.signal}): ${r.stderr}`);
  }
  return r.stdout.trim().split('\n').pop()!;
}

export function tmpRoot(): string {
  return fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
}

export function generateOutOfBand(opts: GeneratorOptions, withLogs = false): GeneratedData {
  const dir = fs.mkdtempSync(path.join(tmpRoot(), 'anomalyscore-gen-'));
  try {
    const out = path.join(dir, 'data');
    runChild({ opts, mode: 'dump', withLogs, out });
    const buf = fs.readFileSync(out + '.f64');
    const values = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const meta = JSON.parse(fs.readFileSync(out + '.json', 'utf8'));
    return { truth: meta.truth, layout: meta.layout, times: Float64Array.from(meta.times), values, logs: meta.logs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function hashOutOfBand(opts: GeneratorOptions, withLogs = true): { om: string; loki: string; truth: string } {
  return JSON.parse(runChild({ opts, mode: 'hash', withLogs, out: '' }));
}

export function writeOpenMetricsOutOfBand(
  opts: GeneratorOptions,
  file: string
): { generateMs: number; writeMs: number; bytes: number; samples: number } {
  return JSON.parse(runChild({ opts, mode: 'openmetrics', withLogs: false, out: file }));
}
