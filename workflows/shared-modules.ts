/**
 * Modules loaded once per worker thread and shared by every workflow in its V8 context,
 * instead of evaluated again for each workflow (zod alone took ~4.5 ms of each agent's
 * start). Only stateless libraries belong here: the SDK deep-freezes what it shares.
 *
 * Two things make this file necessary:
 * - zod's package.json declares it side-effect free, so the bundler drops a bare
 *   `require('zod')` from its preload list; an export keeps it;
 * - zod fills its global config (default locale, memoizer) and probes `new Function` on
 *   first use, which would fail on the frozen copy; the parse below is that first use.
 */
import * as zod from 'zod';

const warmUp = zod.object({ s: zod.string().min(1), n: zod.number().int() });
warmUp.safeParse({ s: '', n: 1.5 });
warmUp.safeParse({ s: 'a', n: 1 });

export { zod };
