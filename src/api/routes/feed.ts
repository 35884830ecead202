/** /api/v1/events and /api/v1/ws: the feed (src/domain/feed.ts), everything you may see in one stream. */
import { z } from 'zod';
import type { FeedSockets } from '../feed-socket';
import { route, type ApiDeps, type Route } from '../route';
import { SseStream } from '../sse';

const feedQuery = z
  .object({
    after: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("Resume after this frame's id (SSE clients send Last-Event-ID instead)"),
  })
  .strict();

export function feedRoutes(deps: ApiDeps, sockets: FeedSockets): Route[] {
  return [
    route({
      method: 'get',
      path: '/events',
      tag: 'feed',
      summary: 'Everything you may see, live, as Server-Sent Events: agents, swarms, approvals; resumable',
      query: feedQuery,
      temporal: false,
      ok: { status: 200, description: 'Frames as they happen (hello first)', stream: true },
      errors: [400, 401],
      async handle({ query, principal, credentials, req, res }) {
        const stream = new SseStream(res, deps.streams);
        const after = req.get('last-event-id') || query.after;
        stream.onClose(deps.feed.open(principal, after, (f) => stream.send(f.event, f, f.id)));
        // Opened by a sign-in cookie: it ends with the sign-in (logout or expiry), not when the browser leaves.
        const signIn = credentials?.signIn;
        if (signIn && deps.signIns) {
          stream.onClose(
            deps.signIns.watch(signIn, () => {
              const frame = deps.feed.signedOut();
              stream.send(frame.event, frame, frame.id);
              stream.close();
            }),
          );
        }
      },
    }),
    route({
      method: 'get',
      path: '/ws',
      tag: 'feed',
      summary:
        'The same feed over a WebSocket, with commands (spawn, message, pause, resume, kill, approve, resume)',
      query: feedQuery,
      temporal: false,
      ok: {
        status: 101,
        description: 'Switching Protocols: JSON frames out, JSON commands in',
        stream: true,
      },
      errors: [400, 401, 403, 426],
      async handle({ query, principal, credentials, req, res }) {
        sockets.accept(principal, credentials?.signIn, query.after, req, res);
      },
    }),
  ];
}
