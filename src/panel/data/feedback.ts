/**
 * Feedback as Grafana annotations: the payload of `POST /api/annotations` and where it goes.
 *
 * Dashboard UID: PanelProps carries no dashboard UID, so it is read from the URL path, which is
 * `/d/<uid>/<slug>` (or `/d-solo/<uid>/...` for a solo panel, both possibly under an app sub-path).
 * `locationService` is Grafana's own view of the URL (it follows client-side navigation); the browser
 * location is the fallback. Without a UID (a new, unsaved dashboard; the preview page) the
 * annotation is written as an organisation annotation, still tagged with the entity, so the
 * panel can read it back through an annotation query by tags.
 */
import { getBackendSrv, locationService } from '@grafana/runtime';
import { FEEDBACK_KINDS, FeedbackKind, TierName } from '../types';
import { labelTags } from './annotations';

export interface FeedbackAnnotation {
  dashboardUID?: string;
  panelId?: number;
  time: number;
  timeEnd: number;
  tags: string[];
  text: string;
}

export interface FeedbackInput {
  kind: FeedbackKind;
  rationale: string;
  labels: Record<string, string>;
  tier: TierName | undefined;
  time: number;
  timeEnd?: number;
  dashboardUID?: string;
  panelId?: number;
}

/** Writes one annotation; rejects on failure. Injected in tests and on the preview page. */
export type AnnotationWriter = (payload: FeedbackAnnotation) => Promise<unknown>;

export const defaultAnnotationWriter: AnnotationWriter = (payload) =>
  getBackendSrv().post('/api/annotations', payload, { showErrorAlert: false });

export function feedbackLabel(kind: FeedbackKind): string {
  return FEEDBACK_KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

/** The annotation for one piece of feedback; throws when the rationale is empty. */
export function buildFeedbackAnnotation(input: FeedbackInput): FeedbackAnnotation {
  const text = input.rationale.trim();
  if (text === '') {
    throw new Error('a rationale is required');
  }
  const time = Math.round(input.time);
  const end = input.timeEnd !== undefined && Number.isFinite(input.timeEnd) ? Math.round(input.timeEnd) : time;
  const tags = [
    'anomalyscore',
    `feedback:${input.kind}`,
    ...(input.tier ? [`tier:${input.tier}`] : []),
    ...labelTags(input.labels),
  ];
  return {
    ...(input.dashboardUID ? { dashboardUID: input.dashboardUID } : {}),
    ...(input.panelId !== undefined && input.dashboardUID ? { panelId: input.panelId } : {}),
    time: Math.min(time, end),
    timeEnd: Math.max(time, end),
    tags,
    text,
  };
}

/** `/d/<uid>/slug`, `/grafana/d-solo/<uid>/slug` -> uid; undefined elsewhere. */
export function dashboardUidFromPath(pathname: string): string | undefined {
  const m = /(?:^|\/)d(?:-solo)?\/([^/?#]+)/.exec(pathname);
  return m ? decodeURIComponent(m[1]) : undefined;
}

export function currentDashboardUid(): string | undefined {
  let path = '';
  try {
    path = locationService.getLocation().pathname;
  } catch {
    path = '';
  }
  return (
    dashboardUidFromPath(path) ??
    (typeof window !== 'undefined' ? dashboardUidFromPath(window.location.pathname) : undefined)
  );
}

/** A short message for a failed write (BackendSrv rejects with { status, data: { message } }). */
export function writeErrorMessage(e: unknown): string {
  if (e instanceof Error) {
    return e.message;
  }
  if (typeof e === 'object' && e !== null) {
    const o = e as { status?: number; statusText?: string; data?: { message?: string } };
    const msg = o.data?.message ?? o.statusText;
    if (msg || o.status) {
      return [o.status, msg].filter((x) => x !== undefined && x !== '').join(' ');
    }
  }
  return String(e);
}
