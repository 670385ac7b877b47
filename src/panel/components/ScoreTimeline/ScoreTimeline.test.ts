import { createDataFrame, FieldType } from '@grafana/data';
import { GraphThresholdsStyleMode } from '@grafana/schema';
import { scoreFrameViews } from '../../data/frames';
import { severityFrame } from '../../testing/frames';
import { timelineFrames } from './ScoreTimeline';

describe('timelineFrames', () => {
  it('one entity: score with tier bands (area thresholds at the tier cuts) and its interval', () => {
    const views = scoreFrameViews([
      severityFrame({ model: 'a', version: '1' }, { latency: [0.1, 0.8], errors: [0, 0], drift: [0, 0] }),
    ]);
    const [frame] = timelineFrames(views);
    expect(frame.fields.map((f) => f.name)).toEqual(['Time', 'score', 'score:lower', 'score:upper']);
    const score = frame.fields[1];
    expect(score.config.custom.thresholdsStyle.mode).toBe(GraphThresholdsStyleMode.Area);
    expect(score.config.thresholds?.steps.map((s) => s.value)).toEqual([-Infinity, 25, 50, 75]);
  });

  it('several entities: one score series each, bands drawn once, thresholds even when the frame has none', () => {
    const bare = createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [0, 1] },
        { name: 'score', type: FieldType.number, values: [10, 20], labels: { model: 'b' } },
      ],
    });
    const views = scoreFrameViews([
      severityFrame({ model: 'a', version: '1' }, { latency: [0.1, 0.8], errors: [0, 0], drift: [0, 0] }),
      bare,
    ]);
    const frames = timelineFrames(views);
    expect(frames.map((f) => f.fields.map((x) => x.name))).toEqual([
      ['Time', 'score'],
      ['Time', 'score'],
    ]);
    expect(frames.map((f) => f.fields[1].config.custom.thresholdsStyle.mode)).toEqual([
      GraphThresholdsStyleMode.Area,
      GraphThresholdsStyleMode.Off,
    ]);
    expect(frames[1].fields[1].config.thresholds?.steps).toHaveLength(4);
    expect(frames[1].fields[1].config.displayName).toBe('{model="b"}');
  });
});
