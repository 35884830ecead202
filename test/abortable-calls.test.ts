/** AbortableCalls: each call its own signal, aborted by abortAll while under way, and forgotten once done. */
import type { Client } from '@temporalio/client';
import { AbortableCalls } from '../src/api/abortable-calls';

/** A client that records the signal and deadline each call ran under, as the SDK's would hold them. */
function recordingClient() {
  const signals: AbortSignal[] = [];
  const deadlines: number[] = [];
  const client = {
    withAbortSignal: <T>(signal: AbortSignal, fn: () => Promise<T>) => {
      signals.push(signal);
      return fn();
    },
    withDeadline: <T>(deadline: number, fn: () => Promise<T>) => {
      deadlines.push(deadline);
      return fn();
    },
  };
  return { client: client as unknown as Client, signals, deadlines };
}

test('abortAll aborts the calls under way, not those already done, and every call has a signal of its own', async () => {
  const { client, signals, deadlines } = recordingClient();
  const calls = new AbortableCalls(client);
  await calls.run(1000, async () => 'done');
  let release!: () => void;
  const waiting = calls.run(2000, () => new Promise<void>((resolve) => (release = resolve)));
  expect(deadlines).toEqual([1000, 2000]);
  expect(signals[0]).not.toBe(signals[1]);

  calls.abortAll();
  expect(signals[1].aborted).toBe(true);
  expect(signals[0].aborted).toBe(false); // done before: forgotten, not held
  release();
  await waiting;
  // Done calls are not kept: a later abortAll touches nothing.
  await calls.run(3000, async () => undefined);
  calls.abortAll();
  expect(signals[2].aborted).toBe(false);
});
