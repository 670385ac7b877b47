/**
 * Ground truth for the pages: Grafana annotations tagged `incident` (verified incidents) and the
 * panel's feedback annotations tagged `anomalyscore` (feedback:confirmed / false-alarm / ...),
 * fetched from `/api/annotations` and parsed by scoring/evaluate/groundTruth.ts.
 */
import { parseAnnotations, type GrafanaAnnotation, type GroundTruth } from '../../scoring/evaluate/groundTruth';
import type { AppServices } from './services';

export const INCIDENT_TAG = 'incident';
export const FEEDBACK_TAG = 'anomalyscore';
export const ANNOTATION_LIMIT = 5000;

export interface FetchedGroundTruth {
  truth: GroundTruth;
  annotations: GrafanaAnnotation[];
  /** True when a request returned `limit` annotations (there may be more). */
  truncated: boolean;
}

/** Both annotation queries, deduplicated by id, parsed into ground truth (malformed ones in `truth.errors`). */
export async function fetchGroundTruth(
  services: AppServices,
  from: number,
  to: number,
  limit = ANNOTATION_LIMIT
): Promise<FetchedGroundTruth> {
  const [incidents, feedback] = await Promise.all(
    [INCIDENT_TAG, FEEDBACK_TAG].map((tag) =>
      services.get<GrafanaAnnotation[]>('/api/annotations', { tags: [tag], from, to, limit, type: 'annotation' })
    )
  );
  const byId = new Map<string, GrafanaAnnotation>();
  for (const a of [...(incidents ?? []), ...(feedback ?? [])]) {
    byId.set(String(a.id), a);
  }
  const annotations = [...byId.values()];
  return {
    truth: parseAnnotations(annotations),
    annotations,
    truncated: (incidents?.length ?? 0) >= limit || (feedback?.length ?? 0) >= limit,
  };
}
