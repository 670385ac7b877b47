import { AnomalyDataSourceOptions, UpstreamRef } from './types';

export interface UpstreamCheck {
  role: 'Prometheus' | 'Loki';
  ref?: UpstreamRef;
}

export interface HealthResult {
  status: 'success' | 'error';
  message: string;
}

/** Which upstreams the settings name, in a fixed order so messages are stable. */
export function configuredUpstreams(options: AnomalyDataSourceOptions): UpstreamCheck[] {
  return [
    { role: 'Prometheus', ref: options.prometheus },
    { role: 'Loki', ref: options.loki },
  ];
}

/**
 * Checks each configured upstream with `lookup` (which throws or rejects when the data source is
 * missing or failing) and names every failure with its reason. Prometheus is required; Loki is
 * optional because log signals are optional.
 */
export async function checkUpstreams(
  options: AnomalyDataSourceOptions,
  lookup: (ref: UpstreamRef) => Promise<string>
): Promise<HealthResult> {
  const lines: string[] = [];
  let failed = false;
  for (const { role, ref } of configuredUpstreams(options)) {
    if (!ref?.uid) {
      if (role === 'Prometheus') {
        failed = true;
        lines.push('Prometheus: not configured (choose a default Prometheus data source)');
      } else {
        lines.push('Loki: not configured (log signals need a Loki data source per signal)');
      }
      continue;
    }
    try {
      const name = await lookup(ref);
      lines.push(`${role}: ${name} is healthy`);
    } catch (e) {
      failed = true;
      lines.push(`${role}: ${ref.uid} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { status: failed ? 'error' : 'success', message: lines.join('; ') };
}
