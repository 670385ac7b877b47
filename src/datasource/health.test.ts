/** @jest-environment node */
import { checkUpstreams } from './health';

describe('checkUpstreams', () => {
  it('names each reachable upstream', async () => {
    const r = await checkUpstreams(
      { prometheus: { uid: 'p1' }, loki: { uid: 'l1' } },
      async (ref) => (ref.uid === 'p1' ? 'Prom main' : 'Loki main')
    );
    expect(r.status).toBe('success');
    expect(r.message).toBe('Prometheus: Prom main is healthy; Loki: Loki main is healthy');
  });

  it('fails when Prometheus is not configured but only notes a missing Loki', async () => {
    const r = await checkUpstreams({}, async () => 'x');
    expect(r.status).toBe('error');
    expect(r.message).toContain('Prometheus: not configured');
    expect(r.message).toContain('Loki: not configured');
  });

  it('names the failing upstream with the reason', async () => {
    const r = await checkUpstreams({ prometheus: { uid: 'p1' }, loki: { uid: 'gone' } }, async (ref) => {
      if (ref.uid === 'gone') {
        throw new Error('Data source with uid gone not found');
      }
      return 'Prom main';
    });
    expect(r.status).toBe('error');
    expect(r.message).toBe('Prometheus: Prom main is healthy; Loki: gone failed: Data source with uid gone not found');
  });
});
