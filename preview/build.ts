/**
 * Builds the preview page (preview/index.tsx: the real panel + data source with real @grafana/ui)
 * into one browser bundle with esbuild (installed with tsx; a full webpack build of @grafana/ui
 * takes minutes on two cores, esbuild a few seconds).
 *
 * `npx tsx preview/build.ts [OUTDIR]` builds and prints the output directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
/** Under node_modules: ignored by git, eslint and jest. */
export const DEFAULT_OUT_DIR = path.join(ROOT, 'node_modules', '.cache', 'anomalyscore-preview');

export interface BuildResult {
  outDir: string;
  ms: number;
}

export async function buildPreview(outDir = DEFAULT_OUT_DIR): Promise<BuildResult> {
  // Loaded lazily: the server can serve an existing build without esbuild.
  const esbuild = await import('esbuild');
  const started = Date.now();
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { preview: path.join(ROOT, 'preview', 'index.tsx') },
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    minify: true,
    sourcemap: 'linked',
    jsx: 'automatic',
    // @grafana/ui's ESM build imports a few CSS files and the CSS references fonts/images.
    loader: { '.svg': 'dataurl', '.png': 'dataurl', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file' },
    mainFields: ['browser', 'module', 'main'],
    conditions: ['browser', 'import', 'module', 'default'],
    define: {
      'process.env.NODE_ENV': '"production"',
      global: 'globalThis',
    },
    logLevel: 'warning',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
  });
  return { outDir, ms: Date.now() - started };
}

if (require.main === module) {
  buildPreview(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    (r) => process.stdout.write(`preview bundle: ${r.outDir} (${r.ms} ms)\n`),
    (e) => {
      process.stderr.write(`preview build failed: ${(e as Error).message}\n`);
      process.exit(1);
    }
  );
}
