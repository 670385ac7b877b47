/**
 * Printing compiled rules: Prometheus rulefmt YAML (also what Mimir, Cortex and Thanos rulers and
 * `mimirtool rules load` read), the Loki ruler file, and the header that lists what was left out.
 */
import { Document, stringify } from 'yaml';

import type { CompiledRules, RuleGroup } from './compile';

function header(c: CompiledRules, target: 'prometheus' | 'loki'): string {
  const lines = [
    ` Anomaly Score rules compiled from spec ${c.specId} (version ${String(c.spec.version)}), evaluated every ${c.interval}.`,
    target === 'prometheus'
      ? ' Prometheus rulefmt: promtool check rules FILE; Mimir/Cortex: mimirtool rules load FILE; Thanos: --rule-file.'
      : " Loki ruler (LogQL): the log signals' inputs, remote-written to the Prometheus/Mimir that runs the other rules.",
  ];
  if (target === 'prometheus' && c.logSignals.length > 0) {
    lines.push(` Inputs of ${c.logSignals.join(', ')} are recorded by the Loki ruler (--format loki).`);
  }
  if (c.unsupported.length > 0) {
    lines.push(' NOT COMPILED (these signals are missing from the compiled score):');
    for (const u of c.unsupported) {
      lines.push(`   - ${u.signal} (${u.kind}): ${u.reason}`);
    }
  }
  for (const u of c.unsupportedContext) {
    lines.push(` NOT COMPILED context rule ${u.rule}: ${u.reason}`);
  }
  if (target === 'prometheus' && c.approximations.length > 0) {
    lines.push(' Differences from the in-browser engine:');
    for (const a of c.approximations) {
      lines.push(`   - ${a}`);
    }
  }
  return lines.join('\n');
}

function toYaml(groups: RuleGroup[], comment: string): string {
  const doc = new Document({ groups });
  doc.commentBefore = comment;
  return doc.toString({ lineWidth: 0 });
}

/** Prometheus / Mimir / Cortex / Thanos rule file. */
export function prometheusRulesYaml(c: CompiledRules): string {
  return toYaml(c.prometheus, header(c, 'prometheus'));
}

/** Loki ruler rule file (empty `groups` when no signal reads Loki). */
export function lokiRulesYaml(c: CompiledRules): string {
  return toYaml(c.loki, header(c, 'loki'));
}

/** Plain YAML of any value (no comments). */
export function yaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}
