/**
 * Side effects of the alert-rule actions behind one injectable seam (as the panel's services):
 * the HTTP post to Grafana and the file download. Defaults talk to Grafana and the browser; tests
 * wrap the editor in <AlertRuleServicesProvider value={...}> to capture them.
 */
import React, { createContext, useContext, useMemo } from 'react';
import { getBackendSrv } from '@grafana/runtime';
import { downloadBlob } from '../../../shared/browser';

export interface PostOptions {
  headers?: Record<string, string>;
  showErrorAlert?: boolean;
  showSuccessAlert?: boolean;
}

export interface AlertRuleServices {
  /** POST a JSON body to a Grafana API path; resolves with the response body, rejects with Grafana's error. */
  post: (url: string, body: unknown, options: PostOptions) => Promise<unknown>;
  download: (fileName: string, blob: Blob) => void;
}

export const defaultAlertRuleServices: AlertRuleServices = {
  post: (url, body, options) => getBackendSrv().post(url, body, options),
  download: downloadBlob,
};

const ServicesContext = createContext<AlertRuleServices>(defaultAlertRuleServices);

export function AlertRuleServicesProvider({
  value,
  children,
}: {
  value: Partial<AlertRuleServices>;
  children: React.ReactNode;
}) {
  const merged = useMemo(() => ({ ...defaultAlertRuleServices, ...value }), [value]);
  return <ServicesContext.Provider value={merged}>{children}</ServicesContext.Provider>;
}

export function useAlertRuleServices(): AlertRuleServices {
  return useContext(ServicesContext);
}
