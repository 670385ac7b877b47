import pluginJson from './plugin.json';

export const APP_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;
export const DATASOURCE_TYPE = 'opsml-anomalyscore-datasource';
export const PANEL_ID = 'opsml-anomalyscore-panel';

export enum ROUTES {
  Overview = 'overview',
  Calibration = 'calibration',
  Incidents = 'incidents',
}
