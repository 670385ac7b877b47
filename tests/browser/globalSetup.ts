/**
 * Builds the preview bundle once for every browser suite (in a child process: esbuild's JS API
 * does not run inside jest's VM), and checks for Chromium first so that a missing browser fails
 * fast with the package to install.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export default function globalSetup(): void {
  const root = path.resolve(__dirname, '..', '..');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'preview', 'build.ts')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(`building the preview page failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  process.stdout.write(`\n${r.stdout.trim()}\n`);
}
