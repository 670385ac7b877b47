/**
 * Side effects of the panel behind one injectable seam: writing annotations, the clipboard,
 * downloads, the URL and the clock. Defaults talk to Grafana and the browser; tests and the preview
 * page wrap the panel in <PanelServicesProvider value={...}> to capture or fake them.
 */
import React, { createContext, useContext, useMemo } from 'react';
import { copyText, downloadBlob } from '../shared/browser';
import { AnnotationWriter, currentDashboardUid, defaultAnnotationWriter } from './data/feedback';

export interface PanelServices {
  writeAnnotation: AnnotationWriter;
  copyText: (text: string) => Promise<void>;
  download: (fileName: string, blob: Blob) => void;
  dashboardUid: () => string | undefined;
  location: () => { origin: string; pathname: string; search: string };
  now: () => number;
}

export const defaultServices: PanelServices = {
  writeAnnotation: defaultAnnotationWriter,
  copyText,
  download: downloadBlob,
  dashboardUid: currentDashboardUid,
  location: () => ({
    origin: window.location.origin,
    pathname: window.location.pathname,
    search: window.location.search,
  }),
  now: () => Date.now(),
};

const ServicesContext = createContext<PanelServices>(defaultServices);

export function PanelServicesProvider({
  value,
  children,
}: {
  value: Partial<PanelServices>;
  children: React.ReactNode;
}) {
  const merged = useMemo(() => ({ ...defaultServices, ...value }), [value]);
  return <ServicesContext.Provider value={merged}>{children}</ServicesContext.Provider>;
}

export function usePanelServices(): PanelServices {
  return useContext(ServicesContext);
}
