import { defineConfig } from 'eslint/config';
import baseConfig from './.config/eslint.config.mjs';

export default defineConfig([
  {
    ignores: [
      '**/logs',
      '**/*.log',
      '**/npm-debug.log*',
      '**/yarn-debug.log*',
      '**/yarn-error.log*',
      '**/.pnpm-debug.log*',
      '**/node_modules/',
      '.yarn/cache',
      '.yarn/unplugged',
      '.yarn/build-state.yml',
      '.yarn/install-state.gz',
      '**/.pnp.*',
      '**/pids',
      '**/*.pid',
      '**/*.seed',
      '**/*.pid.lock',
      '**/lib-cov',
      '**/coverage',
      'dist/',
      'tmp/',
      'test-artifacts/',
      'bench-results/',
      '**/artifacts/',
      '**/work/',
      '**/ci/',
      'test-results/',
      'playwright-report/',
      'blob-report/',
      'playwright/.cache/',
      'playwright/.auth/',
      '**/.idea',
      '**/.eslintcache',
    ],
  },
  ...baseConfig,
  {
    // Tests, scripts, the demo generator, the preview page and benchmarks are TypeScript too.
    files: ['{tests,scripts,demo,preview,bench}/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { project: './tsconfig.tools.json' } },
    rules: { '@typescript-eslint/no-deprecated': 'warn' },
  },
  {
    rules: {
      // `import type { X }` beside `import { y }` from the same module is deliberate (type-only
      // imports are erased); the core rule cannot tell them apart.
      'no-duplicate-imports': 'off',
    },
  },
]);
