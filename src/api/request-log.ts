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
      if (res.statusCode >= 500) log.error(entry, 'request');
      else log.info(entry, 'request');
    });
    next();
  };
}
