/**
 * The CLI's looks (status and events queries) have a deadline and are asked once more: a
 * query no worker answers fails after two deadlines, not after the server's own timeout.
 */
import { isGrpcDeadlineError } from '@temporalio/client';
import { agentStatus } from '../src/temporal/agents';
import { look } from '../src/temporal/look';
import { useHarness, waitForStatus } from './helpers/harness';

describe('look', () => {
  const h = useHarness({ worker: false });

  test('gives up after two deadlines when no worker answers, and answers once one does', async () => {
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
    expect(isGrpcDeadlineError(failure)).toBe(true);
    expect(asked).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000); // two deadlines, not the server's 30 s
    const again = await h.startWorker();
    try {
      expect((await look(h.client, () => agentStatus(h.client, id))).status).toBe('waiting_for_input');
    } finally {
      await again.stop();
    }
  });
});
