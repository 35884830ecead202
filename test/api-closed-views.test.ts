/** The API's store of finished runs' views: asked once per closed run, of that run, bounded by size. */
import { ClosedViews } from '../src/api/closed-views';

const closed = (runId: string) => ({ runId, temporalStatus: 'COMPLETED' });

test('a running run is asked every time; a closed one once, of that run, however many ask at once', async () => {
  const views = new ClosedViews();
  const asked: Array<string | undefined> = [];
  const ask = async (runId?: string) => {
    asked.push(runId);
    return { status: 'completed', n: asked.length };
  };
  await views.view({ runId: 'r1', temporalStatus: 'RUNNING' }, ask);
  await views.view({ runId: 'r1', temporalStatus: 'RUNNING' }, ask);
  expect(asked).toEqual([undefined, undefined]);
  const answers = await Promise.all([1, 2, 3].map(() => views.view(closed('r1'), ask)));
  expect(answers).toEqual([3, 3, 3].map((n) => ({ status: 'completed', n })));
  expect(await views.view(closed('r1'), ask)).toEqual({ status: 'completed', n: 3 });
  expect(asked).toEqual([undefined, undefined, 'r1']);
});

test('a failed ask is not kept; past the size bound the least recently used go first', async () => {
  const views = new ClosedViews(450);
  await expect(views.view(closed('bad'), () => Promise.reject(new Error('no worker')))).rejects.toThrow(
    'no worker',
  );
  expect(views.size.views).toBe(0);
  const asked: string[] = [];
  const view = (id: string) =>
    views.view(closed(id), async () => (asked.push(id), { id, text: 'x'.repeat(80) }));
  for (const id of ['a', 'b', 'c']) await view(id); // ~100 characters of JSON each
  await view('a'); // kept, and now the most recently used
  await view('d');
  await view('e'); // past 450: the least recently used (b) goes
  expect(views.size).toEqual({ views: 4, chars: expect.any(Number) });
  expect(views.size.chars).toBeLessThanOrEqual(450);
  await view('a');
  await view('b');
  expect(asked).toEqual(['a', 'b', 'c', 'd', 'e', 'b']);
});
