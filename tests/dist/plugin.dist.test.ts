/**
 * Checks the BUILT plugin (dist/): schema-valid plugin.json files, the app's includes, and that each
 * module.js, loaded the way Grafana loads it (AMD with Grafana's shared modules), exports a plugin of
 * the right class. Run after `npm run build` (scripts/test.mjs builds first).
 */
import fs from 'fs';
import path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { AppPlugin, DataSourcePlugin, PanelPlugin } from '@grafana/data';

const root = path.resolve(__dirname, '../..');
const dist = path.join(root, 'dist');
const sharedSchema = path.resolve(root, '../shared/grafana/plugin.schema.json');
const vendoredSchema = path.join(root, 'tests/schema/plugin.schema.json');

const NESTED = [
  { folder: 'datasource', type: 'datasource', id: 'opsml-anomalyscore-datasource', cls: DataSourcePlugin },
  { folder: 'panel', type: 'panel', id: 'opsml-anomalyscore-panel', cls: PanelPlugin },
] as const;

function readJson(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function loadAmdModule(file: string): Record<string, unknown> {
  const code = fs.readFileSync(file, 'utf8');
  let exported: Record<string, unknown> | undefined;
  const define = (deps: string[], factory: (...args: unknown[]) => Record<string, unknown>) => {
    const resolved = deps.map((dep) => (dep === 'module' ? { uri: `public/plugins/x/${path.basename(file)}` } : require(dep)));
    exported = factory(...resolved);
  };
  new Function('define', code)(define);
  if (!exported) {
    throw new Error(`${file} did not call define()`);
  }
  return exported;
}

describe('built plugin in dist/', () => {
  const schema = readJson(fs.existsSync(sharedSchema) ? sharedSchema : vendoredSchema);
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  it('uses the same schema as ../shared when it is there', () => {
    if (fs.existsSync(sharedSchema)) {
      expect(readJson(vendoredSchema)).toEqual(readJson(sharedSchema));
    } else {
      expect(readJson(vendoredSchema).title).toBe('plugin.json');
    }
  });

  it.each(['plugin.json', 'datasource/plugin.json', 'panel/plugin.json'])('%s validates against Grafana schema', (rel) => {
    const json = readJson(path.join(dist, rel));
    const ok = validate(json);
    expect(ajv.errorsText(validate.errors)).toBe('No errors');
    expect(ok).toBe(true);
    // Build-time placeholders must have been replaced.
    expect(JSON.stringify(json)).not.toMatch(/%VERSION%|%TODAY%|%PLUGIN_ID%/);
  });

  it('app includes both nested plugins with matching type, name and path', () => {
    const app = readJson(path.join(dist, 'plugin.json'));
    expect(app.id).toBe('opsml-anomalyscore-app');
    expect(app.type).toBe('app');
    for (const nested of NESTED) {
      const json = readJson(path.join(dist, nested.folder, 'plugin.json'));
      expect(json.id).toBe(nested.id);
      expect(json.type).toBe(nested.type);
      const include = app.includes.find((i: { type: string }) => i.type === nested.type);
      expect(include).toEqual(
        expect.objectContaining({ type: nested.type, name: json.name, path: `${nested.folder}/plugin.json` })
      );
      expect(fs.existsSync(path.join(dist, include.path))).toBe(true);
      // Logos must be shipped next to each nested plugin.
      for (const logo of Object.values(json.info.logos) as string[]) {
        expect(fs.existsSync(path.join(dist, nested.folder, logo))).toBe(true);
      }
    }
  });

  it('module.js exports an AppPlugin', () => {
    expect(loadAmdModule(path.join(dist, 'module.js')).plugin).toBeInstanceOf(AppPlugin);
  });

  it.each(NESTED.map((n) => [n.folder, n.cls] as const))('%s/module.js exports the right plugin class', (folder, cls) => {
    const mod = loadAmdModule(path.join(dist, folder, 'module.js'));
    expect(mod.plugin).toBeInstanceOf(cls);
  });
});
