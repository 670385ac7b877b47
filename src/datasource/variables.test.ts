import { createDataFrame, FieldType } from '@grafana/data';
import { variableFrame } from './variables';

const triage = createDataFrame({
  name: 'triage',
  fields: [
    { name: 'entity', type: FieldType.string, values: ['{model="b", version="2"}', '{model="b", version="1"}', '{model="a", version="1"}'] },
    { name: 'model', type: FieldType.string, values: ['b', 'b', 'a'] },
    { name: 'score', type: FieldType.number, values: [90, 60, 10] },
  ],
});

describe('variableFrame', () => {
  it('lists entity keys worst first, up to the limit', () => {
    const f = variableFrame(triage, { limit: 2 });
    expect(f.fields[0].values).toEqual(['{model="b", version="2"}', '{model="b", version="1"}']);
    expect(f.fields[1].values).toEqual(f.fields[0].values);
  });

  it('uses a label as the value and lists each value once', () => {
    const f = variableFrame(triage, { limit: 10, label: 'model' });
    expect(f.fields[1].values).toEqual(['b', 'a']);
  });

  it('is empty without a triage frame', () => {
    expect(variableFrame(undefined, { limit: 3 }).length).toBe(0);
  });
});
