/**
 * A spec typed or pasted by the user (YAML or JSON): validated with parseSpec (errors with path and
 * line), and the raw input kept as written, because the data source fills what the query leaves out
 * (tiers, context) from its own settings; a fully defaulted spec would override them.
 */
import { parse as parseYaml } from 'yaml';
import { formatSpecErrors, parseSpec, type ScoreSpec, type ScoreSpecInput, type SpecError } from '../../scoring/spec';

export interface ParsedSpecText {
  ok: boolean;
  /** As written (what the query sends). */
  input?: ScoreSpecInput;
  /** Validated, with defaults. */
  spec?: ScoreSpec;
  errors: SpecError[];
  /** One line per error. */
  message: string;
}

export function parseSpecText(text: string): ParsedSpecText {
  if (text.trim() === '') {
    return { ok: false, errors: [{ path: '', message: 'paste a spec (YAML or JSON)' }], message: 'paste a spec (YAML or JSON)' };
  }
  const result = parseSpec(text);
  if (!result.ok || !result.spec) {
    return { ok: false, errors: result.errors, message: formatSpecErrors(result.errors) };
  }
  return { ok: true, input: parseYaml(text) as ScoreSpecInput, spec: result.spec, errors: [], message: '' };
}
