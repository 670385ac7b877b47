import React from 'react';
import { of } from 'rxjs';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { IncidentLibraryPage } from './IncidentLibraryPage';
import { AppServicesProvider, absoluteRange, type AppServices } from '../shared/services';
import { SETTINGS_URL } from '../shared/versionsStore';
import { at, N, SPEC_INPUT, scenarioAnnotations, scenarioFrames, type AnnotationFixture } from '../shared/testing/fixtures';

jest.mock('@grafana/ui', () => ({
  ...jest.requireActual('@grafana/ui'),
  // jsdom has no canvas: uPlot cannot draw. The stub records what it was given.
  Sparkline: (props: { sparkline: { y: { values: number[] } } }) => (
    <span data-testid="sparkline-stub" data-points={props.sparkline.y.values.length} />
  ),
}));

const HOSTILE = '<img src=x onerror=alert(1)>';

function annotations(): AnnotationFixture[] {
  return [
    ...scenarioAnnotations(),
    {
      id: 300,
      time: at(50),
      timeEnd: at(51),
      tags: ['incident', `model:${HOSTILE}`],
      text: `${HOSTILE} **bold** [link](javascript:alert(1))`,
    },
    // Confirmed feedback counts as an incident; its rationale is shown as text.
    {
      id: 301,
      time: at(91),
      tags: ['anomalyscore', 'feedback:confirmed', 'model:fraud', 'version:v1', 'tier:critical'],
      text: `confirmed: ${HOSTILE}`,
    },
  ];
}

function fakeServices(overrides: Partial<AppServices> = {}) {
  const list = annotations();
  const query = jest.fn(() => of({ data: scenarioFrames() }));
  const copyText = jest.fn(async () => undefined);
  const download = jest.fn();
  const get = jest.fn(async (url: string, params?: Record<string, unknown>) => {
    if (url === '/api/annotations') {
      const tag = (params?.tags as string[])[0];
      return list.filter((a) => a.tags.includes(tag));
    }
    if (url === SETTINGS_URL) {
      return { enabled: true, jsonData: {} };
    }
    throw new Error(`unexpected GET ${url}`);
  });
  const services: Partial<AppServices> = {
    get: get as unknown as AppServices['get'],
    getDataSource: async () => ({ query }),
    now: () => Date.UTC(2024, 5, 1),
    copyText,
    download,
    DataSourcePicker: ({ current }) => <span>{current}</span>,
    ...overrides,
  };
  return { services, query, copyText, download, get };
}

function renderPage(services: Partial<AppServices>) {
  return render(
    <AppServicesProvider services={services}>
      <IncidentLibraryPage
        defaultRange={absoluteRange(at(0), at(N))}
        defaultDatasourceUid="ds-1"
        defaultSpecText={JSON.stringify(SPEC_INPUT)}
      />
    </AppServicesProvider>
  );
}

const items = () => screen.getAllByTestId('incident-item');

describe('IncidentLibraryPage', () => {
  it('lists incidents and confirmed feedback from the annotations, newest first, and filters them', async () => {
    const { services, get } = fakeServices();
    renderPage(services);
    await screen.findByText('6 incidents');
    expect(get).toHaveBeenCalledWith('/api/annotations', expect.objectContaining({ tags: ['incident'], from: at(0), to: at(N) }));
    expect(get).toHaveBeenCalledWith('/api/annotations', expect.objectContaining({ tags: ['anomalyscore'] }));
    const titles = items().map((li) => within(li).getByRole('button').textContent);
    expect(titles[0]).toMatch(/2024-05-01T07:35:00Z · confirmed · model=fraud, version=v1.*confirmed feedback/);
    expect(titles[1]).toMatch(/07:30:00Z · latency · model=fraud, version=v1.*incident annotation/);
    expect(titles.filter((t) => /incident annotation/.test(t ?? ''))).toHaveLength(5);

    fireEvent.change(screen.getByLabelText('Filter by label or text'), { target: { value: 'javascript' } });
    expect(items()).toHaveLength(1);
    fireEvent.change(screen.getByLabelText('Filter by label or text'), { target: { value: 'nothing like this' } });
    expect(screen.getByText('No incident matches the filter')).toBeInTheDocument();
  });

  it('renders hostile label values and texts as text, never as HTML', async () => {
    const { services } = fakeServices();
    const { container } = renderPage(services);
    await screen.findByText('6 incidents');
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByText(`${HOSTILE} **bold** [link](javascript:alert(1))`)).toBeInTheDocument();
    expect(screen.getByText(new RegExp(`model=${HOSTILE.replace(/[()]/g, '\\$&')}`))).toBeInTheDocument();
  });

  it('loads the score timeline on expand and exports an escaped incident review', async () => {
    const { services, query, copyText, download } = fakeServices();
    renderPage(services);
    await screen.findByText('6 incidents');
    expect(query).not.toHaveBeenCalled();
    const latest = items()[0];
    const toggle = within(latest).getAllByRole('button')[0];
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    fireEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await within(latest).findByTestId('sparkline-stub');
    // Window: one hour either side of the feedback point.
    const request = (query.mock.calls[0] as unknown as [{ range: { from: { valueOf(): number } }; targets: unknown[] }])[0];
    expect(request.range.from.valueOf()).toBe(at(91) - 3_600_000);
    expect(within(latest).getByText(/Peak 90 \(critical\) at 2024-05-01T07:30:00Z/)).toBeInTheDocument();
    // The feedback rationale is listed as text.
    expect(within(latest).getByRole('list', { name: 'Feedback' }).textContent).toContain(`confirmed: ${HOSTILE}`);

    fireEvent.click(within(latest).getByRole('button', { name: /Copy Markdown/ }));
    await within(latest).findByText('Markdown copied to the clipboard.');
    const md = (copyText.mock.calls[0] as unknown as [string])[0];
    expect(md).toContain('# Incident review: \\{model=&quot;fraud&quot;, version=&quot;v1&quot;\\}');
    expect(md).toContain('Score 90.0, tier critical, at 2024-05-01T07:30:00.000Z');
    expect(md).toContain('| latency | 90.0 | 100% |');
    expect(md).toContain('| critical | 2024-05-01T07:30:00.000Z |');
    expect(md).toContain('fraud-health version 1');
    expect(md).toContain('feedback confirmed at critical');
    expect(md).toContain('confirmed: &lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(md).not.toContain('<img');
    expect(md).toMatch(/\[Open the dashboard at this time range\]\(http:\/\/localhost\/d\/anomalyscore\?from=\d+&to=\d+&var-model=fraud&var-version=v1\)/);

    fireEvent.click(within(latest).getByRole('button', { name: /Download JSON/ }));
    const [name, content, mime] = download.mock.calls[0] as unknown as [string, string, string];
    expect(name).toMatch(/^incident-fraud-v1-2024-05-01T07_35_00.000Z\.json$/);
    expect(mime).toBe('application/json');
    const json = JSON.parse(content);
    expect(json.peak).toEqual(expect.objectContaining({ score: 90, tier: 'critical' }));
    expect(json.spec).toEqual({ id: 'fraud-health', version: 1 });
    expect(json.annotations.map((a: { id: string }) => a.id)).toEqual(['200', '103', '301']);
    expect(json.annotations[0]).toEqual(expect.objectContaining({ feedback: 'false-alarm', rationale: 'batch job, not an incident' }));
  });

  it('exports the hostile incident with every outside text escaped', async () => {
    const { services, copyText, download } = fakeServices();
    renderPage(services);
    await screen.findByText('6 incidents');
    fireEvent.change(screen.getByLabelText('Filter by label or text'), { target: { value: 'javascript' } });
    const item = items()[0];
    fireEvent.click(within(item).getAllByRole('button')[0]);
    await within(item).findByText('No scored entity matches this incident in the window.');
    fireEvent.click(within(item).getByRole('button', { name: /Copy Markdown/ }));
    await waitFor(() => expect(copyText).toHaveBeenCalled());
    const md = (copyText.mock.calls[0] as unknown as [string])[0];
    expect(md).not.toMatch(/<img|\]\(javascript/);
    expect(md).toContain('- model: &lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt; \\*\\*bold\\*\\* \\[link\\]\\(javascript:alert\\(1\\)\\)');
    fireEvent.click(within(item).getByRole('button', { name: /Download Markdown/ }));
    const [name, content] = download.mock.calls[0] as unknown as [string, string];
    expect(name).not.toMatch(/[<>\s]/);
    expect(content).toBe(md);
  });

  it('shows the error when the annotations cannot be read, and an empty state when there are none', async () => {
    const failing = fakeServices({ get: (async () => Promise.reject(new Error('annotations unavailable'))) as AppServices['get'] });
    const { unmount } = renderPage(failing.services);
    expect(await screen.findByText('annotations unavailable')).toBeInTheDocument();
    unmount();
    const empty = fakeServices({ get: (async () => []) as AppServices['get'] });
    renderPage(empty.services);
    expect(await screen.findByText('No incidents in this time range')).toBeInTheDocument();
  });
});
