/** The one way a test waits: look again and again until the answer is the one expected. */

/**
 * Call `look` every `everyMs` until `done` holds on its answer, and return that answer. A look
 * that throws counts as "not yet". Past `timeoutMs` it fails with `what`, the last answer and
 * the last error.
 */
export async function until<T>(
  look: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | undefined;
  let error: unknown;
  for (;;) {
    try {
      const value = await look();
      if (done(value)) return value;
      last = { value };
    } catch (err) {
      error = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const seen = last ? `; last: ${JSON.stringify(last.value)?.slice(0, 2000)}` : '; no answer';
  const why = error instanceof Error ? `; last error: ${error.message.split('\n')[0]}` : '';
  throw new Error(`${what} (waited ${(timeoutMs / 1000).toFixed(1)} s)${seen}${why}`);
}
