/**
 * The spec versions store: one versions file (scoring/evaluate/calibrate.ts) per spec id, kept in
 * the app plugin's settings jsonData (`specVersions`), read with GET and written with POST
 * `/api/plugins/<app>/settings`. Every other setting (enabled, pinned, other jsonData keys) is
 * sent back unchanged. Writing needs permission to edit the app's settings (an admin by default).
 */
import { parseVersionsFile, type SpecVersionsFile } from '../../scoring/evaluate/calibrate';
import { APP_ID } from '../../constants';
import type { AppServices } from './services';

export const SETTINGS_URL = `/api/plugins/${APP_ID}/settings`;

export interface AppSettingsLike {
  enabled?: boolean;
  pinned?: boolean;
  jsonData?: Record<string, unknown> & { specVersions?: Record<string, unknown> };
}

export interface VersionsState {
  settings: AppSettingsLike;
  files: Record<string, SpecVersionsFile>;
  /** Stored files that do not parse (kept untouched, reported). */
  problems: string[];
}

export async function loadVersions(services: AppServices): Promise<VersionsState> {
  const settings = (await services.get<AppSettingsLike>(SETTINGS_URL)) ?? {};
  const raw = settings.jsonData?.specVersions ?? {};
  const files: Record<string, SpecVersionsFile> = {};
  const problems: string[] = [];
  for (const [specId, value] of Object.entries(raw)) {
    try {
      files[specId] = parseVersionsFile(value);
    } catch (e) {
      problems.push(`${specId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { settings, files, problems };
}

/** Write one spec's versions file back, keeping everything else in the settings. */
export async function saveVersionsFile(
  services: AppServices,
  state: VersionsState,
  file: SpecVersionsFile
): Promise<VersionsState> {
  const jsonData = { ...(state.settings.jsonData ?? {}) };
  const specVersions = { ...(jsonData.specVersions ?? {}), [file.specId]: file };
  const body = {
    enabled: state.settings.enabled ?? true,
    pinned: state.settings.pinned ?? true,
    jsonData: { ...jsonData, specVersions },
  };
  await services.post(SETTINGS_URL, body);
  return { settings: { ...state.settings, jsonData: body.jsonData }, files: { ...state.files, [file.specId]: file }, problems: state.problems };
}
