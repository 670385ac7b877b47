import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { annotationsFromFrames, labelTags } from '../../data/annotations';
import { scoreFrameView } from '../../data/frames';
import { PanelServicesProvider } from '../../services';
import { annotationsFrame, severityFrame, STEP_MS, T0 } from '../../testing/frames';
import { ExportReport } from './ExportReport';

const HOSTILE = '<img src=x onerror=alert(1)>';

function setup() {
  const labels = { model: HOSTILE, version: '3' };
  const view = scoreFrameView(
    severityFrame(labels, { latency: [0, 0.5, 0.9, 0.2], errors: [0, 0.2, 0.5, 0.1], drift: [0, 0, 0, 0] }),
    0
  )!;
  const annotations = annotationsFromFrames([
    annotationsFrame([
      {
        time: T0 + 2 * STEP_MS,
        text: `false alarm ${HOSTILE}`,
        tags: ['anomalyscore', 'feedback:false-alarm', ...labelTags(labels)],
      },
    ]),
  ]);
  const copyText = jest.fn(() => Promise.resolve());
  const download = jest.fn();
  render(
    <PanelServicesProvider
      value={{
        copyText,
        download,
        now: () => T0,
        location: () => ({ origin: 'https://g.example', pathname: '/d/abc/x', search: '?orgId=1' }),
      }}
    >
      <ExportReport
        view={view}
        from={T0}
        to={T0 + 3 * STEP_MS}
        annotations={annotations}
        getTimeline={() => document.createElement('div')}
      />
    </PanelServicesProvider>
  );
  return { copyText, download };
}

describe('ExportReport', () => {
  it('previews the Markdown with every section, escaped, and copies it', async () => {
    const { copyText } = setup();
    fireEvent.click(screen.getByTestId('anomalyscore-export'));
    const md = screen.getByTestId('anomalyscore-export-markdown').textContent!;
    for (const h of [
      '## Entity',
      '## Peak',
      '## Tier crossings',
      '## Contributions at the peak',
      '## Observed vs expected',
      '## Annotations',
      '## Feedback',
      '## Spec',
      '## Dashboard',
    ]) {
      expect(md).toContain(h);
    }
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(md).toContain(`https://g.example/d/abc/x?orgId=1&from=${T0}&to=${T0 + 3 * STEP_MS}`);
    expect(document.querySelector('img')).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByTestId('anomalyscore-export-copy'));
    });
    expect(copyText).toHaveBeenCalledWith(md);
  });

  it('downloads Markdown and JSON, and reports when there is no chart to render', async () => {
    const { download } = setup();
    fireEvent.click(screen.getByTestId('anomalyscore-export'));
    fireEvent.click(screen.getByTestId('anomalyscore-export-json'));
    fireEvent.click(screen.getByTestId('anomalyscore-export-md'));
    expect(download).toHaveBeenCalledTimes(2);
    const [jsonName, jsonBlob] = download.mock.calls[0] as [string, Blob];
    expect(jsonName).toMatch(/\.json$/);
    expect(jsonBlob.type).toBe('application/json');
    expect(download.mock.calls[1][0]).toMatch(/\.md$/);
    await act(async () => {
      fireEvent.click(screen.getByTestId('anomalyscore-export-png'));
    });
    expect(screen.getByTestId('anomalyscore-export-status')).toHaveTextContent('No timeline image');
  });
});
