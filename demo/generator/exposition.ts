/** Prometheus text exposition format (0.0.4) of the simulator's current state, for live scrapes. */
import { FAMILIES, Simulation } from './model';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
}

/**
 * In the text format (unlike OpenMetrics) a counter's `# TYPE` line names the sample itself
 * (`model_requests_total`); samples carry no timestamp so Prometheus stamps them at scrape time.
 */
export function renderExposition(sim: Simulation): string {
  const lines: string[] = [];
  let family = -1;
  for (const s of sim.layout) {
    if (s.family !== family) {
      family = s.family;
      const f = FAMILIES[family];
      const name = f.type === 'counter' ? `${f.name}_total` : f.name;
      lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
    }
    lines.push(`${s.sample}{${s.labels}} ${fmt(sim.state[s.entity][s.slot])}`);
  }
  return lines.join('\n') + '\n';
}
