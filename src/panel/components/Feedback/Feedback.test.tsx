import React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { FeedbackAnnotation } from '../../data/feedback';
import { PanelServicesProvider } from '../../services';
import { Feedback } from './Feedback';

function setup(write: (p: FeedbackAnnotation) => Promise<unknown>) {
  const writeAnnotation = jest.fn(write);
  render(
    <PanelServicesProvider value={{ writeAnnotation, dashboardUid: () => 'dash-1' }}>
      <Feedback
        entityKey='{model="fraud"}'
        labels={{ model: 'fraud', version: '3' }}
        tier="review"
        time={1000}
        timeEnd={5000}
        panelId={4}
        existing={[{ kind: 'acknowledged', label: 'Acknowledge', time: 500, rationale: 'looking', tags: [] }]}
      />
    </PanelServicesProvider>
  );
  return writeAnnotation;
}

describe('Feedback', () => {
  it('requires a rationale and writes the annotation payload', async () => {
    const write = setup(() => Promise.resolve({ id: 1 }));
    expect(screen.getByTestId('anomalyscore-feedback-history')).toHaveTextContent('looking');
    fireEvent.click(screen.getByTestId('anomalyscore-feedback-false-alarm'));
    expect(screen.getByTestId('anomalyscore-feedback-submit')).toBeDisabled();
    fireEvent.change(screen.getByTestId('anomalyscore-feedback-rationale'), { target: { value: 'planned load test' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('anomalyscore-feedback-submit'));
    });
    expect(write).toHaveBeenCalledWith({
      dashboardUID: 'dash-1',
      panelId: 4,
      time: 1000,
      timeEnd: 5000,
      tags: ['anomalyscore', 'feedback:false-alarm', 'tier:review', 'model:fraud', 'version:3'],
      text: 'planned load test',
    });
    expect(screen.queryByTestId('anomalyscore-feedback-form')).toBeNull();
    expect(screen.getAllByTestId('anomalyscore-feedback-item').map((li) => li.getAttribute('data-kind'))).toEqual([
      'acknowledged',
      'false-alarm',
    ]);
  });

  it('shows a failed write and keeps the rationale for a retry', async () => {
    let fail = true;
    const write = setup(() =>
      fail ? Promise.reject({ status: 500, data: { message: 'database locked' } }) : Promise.resolve({})
    );
    fireEvent.click(screen.getByTestId('anomalyscore-feedback-escalated'));
    fireEvent.change(screen.getByTestId('anomalyscore-feedback-rationale'), {
      target: { value: 'customers affected' },
    });
    await act(async () => {
      fireEvent.click(screen.getByTestId('anomalyscore-feedback-submit'));
    });
    expect(screen.getByTestId('anomalyscore-feedback-error')).toHaveTextContent('500 database locked');
    expect(screen.getByTestId('anomalyscore-feedback-rationale')).toHaveValue('customers affected');
    fail = false;
    await act(async () => {
      fireEvent.click(screen.getByTestId('anomalyscore-feedback-submit'));
    });
    await waitFor(() => expect(screen.queryByTestId('anomalyscore-feedback-form')).toBeNull());
    expect(write).toHaveBeenCalledTimes(2);
    expect(write.mock.calls[1][0].text).toBe('customers affected');
    expect(write.mock.calls[1][0].tags).toContain('feedback:escalated');
  });
});
