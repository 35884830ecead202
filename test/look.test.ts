/**
 * The CLI's looks (status and events queries) have a deadline and are asked again: a query
 * no worker answers fails after three deadlines, not after the server's own timeout, and says so.
 */
import { errorCode } from '../src/domain';
import { agentStatus } from '../src/temporal/agents';
import { look, LOOKS, stalled } from '../src/temporal/look';
import { useHarness, waitForStatus } from './helpers/harness';

describe('look', () => {
  const h = useHarness({ worker: false });

  test('gives up after three deadlines when no worker answers, and answers once one does', async () => {
    const worker = await h.startWorker();
    // An interactive agent waiting for input: nothing in flight when its worker stops.
    const id = await h.spawn({ task: h.script([{ text: 'hello' }]), type: 'interactive' });
    await waitForStatus(h.client, id, (v) => v.status === 'waiting_for_input');
    await worker.stop();
    let asked = 0;
    const started = Date.now();
    const failure = await look(h.client, () => (asked++, agentStatus(h.client, id)), 500).catch(
      (e: Error) => e,
    );
    expect(errorCode(failure)).toBe('unavailable'); // the CLI's exit 5, the API's 503
    expect((failure as Error).message).toMatch(/^no worker answered within 3 × 0.5 s: is a worker polling/);
    // The last deadline passed: as DEADLINE_EXCEEDED, or, at the wrong moment on a loaded
    // machine, as the call CANCELLED.
    expect(stalled((failure as Error).cause)).toBe(true);
    expect(asked).toBe(LOOKS);
    expect(Date.now() - started).toBeLessThan(8_000); // three deadlines, not the server's 30 s
    const again = await h.startWorker();
    try {
      expect((await look(h.client, () => agentStatus(h.client, id))).status).toBe('waiting_for_input');
    } finally {
      await again.stop();
    }
  });
});
