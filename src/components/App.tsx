import React from 'react';
import { Route, Routes } from 'react-router-dom';
import { AppRootProps } from '@grafana/data';
import { ROUTES } from '../constants';
import { Overview } from './Overview/Overview';
import { CalibrationPage } from './Calibration/CalibrationPage';
import { IncidentLibraryPage } from './IncidentLibrary/IncidentLibraryPage';

function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Calibration} element={<CalibrationPage />} />
      <Route path={ROUTES.Incidents} element={<IncidentLibraryPage />} />
      <Route path="*" element={<Overview />} />
    </Routes>
  );
}

export default App;
