/** One structured log line per request: who, what, how it ended, how long. Never a header. */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const entry = {
        method: req.method,
        path: req.path, // not the query string: it is the client's, and could hold anything
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        user: res.locals.user as string | undefined,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      // A 503 (Temporal or a worker not there) is the API doing its job; a 500 is a bug.
      if (res.statusCode === 500) log.error(entry, 'request');
      else if (res.statusCode >= 500) log.warn(entry, 'request');
      else log.info(entry, 'request');
    });
    next();
  };
}
