import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

// Extends the scaffolded config (which we leave untouched) so that the nested plugins' logos
// (src/datasource/img, src/panel/img) reach dist/ like the app's own.
const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: [
      ...(base.plugins ?? []),
      new CopyWebpackPlugin({ patterns: [{ from: '*/img/**', to: '.', noErrorOnMissing: false }] }),
    ],
  };
};

export default config;
