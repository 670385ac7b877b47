#!/usr/bin/env node
// `npm test`: every suite CI runs, in order, continuing past a failure so one run reports everything.
// Ends with the line `N passed, N failed` (jest test cases plus one check per non-jest stage) and
// exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const tmp = mkdtempSync(path.join(tmpdir(), 'anomalyscore-test-'));

/** A stage is a command (one check) or a jest run (its test cases count). */
const stages = [
  { name: 'typecheck (src)', cmd: [bin('tsc'), '--noEmit'] },
  { name: 'typecheck (tests, scripts, demo)', cmd: [bin('tsc'), '-p', 'tsconfig.tools.json'] },
  { name: 'lint', cmd: [bin('eslint'), '--cache', '--max-warnings=0', '.'] },
  { name: 'unit tests', jest: 'jest.config.js' },
  { name: 'build', cmd: ['npm', 'run', '--silent', 'build'] },
  { name: 'built plugin', jest: 'jest.dist.config.js' },
  { name: 'integration (real Prometheus)', jest: 'jest.integration.config.js', optional: true },
  { name: 'browser (headless Chromium)', jest: 'jest.browser.config.js', optional: true },
];

let passed = 0;
let failed = 0;
const summary = [];

for (const stage of stages) {
  if (stage.jest && stage.optional && !existsSync(path.join(root, stage.jest))) {
    continue;
  }
  const started = Date.now();
  process.stdout.write(`\n=== ${stage.name} ===\n`);
  if (stage.jest) {
    const out = path.join(tmp, `${stage.jest}.json`);
    const r = spawnSync(bin('jest'), ['-c', stage.jest, '--maxWorkers=2', '--json', `--outputFile=${out}`], {
      cwd: root,
      stdio: 'inherit',
    });
    let p = 0;
    let f = 0;
    if (existsSync(out)) {
      const report = JSON.parse(readFileSync(out, 'utf8'));
      p = report.numPassedTests;
      // A suite that fails to load has no test cases: count it as a failure so it cannot hide.
      f = report.numFailedTests + report.numRuntimeErrorTestSuites;
    }
    if (r.status !== 0 && f === 0) {
      f = 1;
    }
    passed += p;
    failed += f;
    summary.push(`${stage.name}: ${p} passed, ${f} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } else {
    const r = spawnSync(stage.cmd[0], stage.cmd.slice(1), { cwd: root, stdio: 'inherit' });
    const ok = r.status === 0;
    ok ? passed++ : failed++;
    summary.push(`${stage.name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

rmSync(tmp, { recursive: true, force: true });
process.stdout.write(`\n${summary.join('\n')}\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
