/**
 * The feed over a WebSocket (`/api/v1/ws`). The HTTP server's `upgrade` request goes through
 * the Express app like any request, so it passes the same Host check, request log and
 * authentication; the `/ws` route then checks the Origin (a browser page elsewhere must not
 * ride a user's credentials), takes one of the user's stream slots, and hands the socket to
 * `ws`. Frames go out as JSON text; commands come in as JSON text and are answered with
 * `reply` frames. A ping every `pingMs` finds dead peers; a peer that reads too slowly is
 * closed (1013) and resumes from its last id.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Request, Response } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import { FEED_EVENTS, SIGNED_OUT_CLOSE, type FeedFrame, type FeedReply } from '../domain';
import { ApiError } from './errors';
import { parseCommand, refusal, runCommand } from './feed-commands';
import type { AllowedHosts } from './hosts';
import type { Principal } from './principal';
import type { ApiDeps } from './route';
import type { SignIn } from './sign-in';

/** A reader this far behind is closed rather than buffered for without end. */
const MAX_BUFFERED_BYTES = 16 * 2 ** 20;
/** Commands one connection may have under way at once. */
const MAX_IN_FLIGHT = 16;
/** Close code for a reader too slow to keep up (Try Again Later). */
const TOO_SLOW = 1013;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export class FeedSockets {
  private readonly wss: WebSocketServer;
  private readonly upgrades = new WeakMap<IncomingMessage, { socket: Duplex; head: Buffer }>();
  private readonly alive = new Map<WebSocket, boolean>();
  private readonly ping: NodeJS.Timeout;

  constructor(
    private readonly deps: ApiDeps,
    private readonly hosts?: AllowedHosts,
    pingMs = 30_000,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxBodyBytes, clientTracking: true });
    this.ping = setInterval(() => this.pingAll(), pingMs);
    this.ping.unref();
  }

  /** Open connections. */
  get size(): number {
    return this.wss.clients.size;
  }

  /** The HTTP server's `upgrade` event: the request goes through `app` as any other, to the /ws route or an error answer. */
  upgrade(app: Handler, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgrades.set(req, { socket, head });
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    // An error answer is the end of it: an upgrade request's connection carries nothing else.
    res.on('finish', () => socket.end());
    socket.on('error', () => socket.destroy());
    app(req, res);
  }

  /**
   * In the /ws route: take the connection over for `principal`, resuming after `after` when
   * given; one a sign-in cookie opened (`signIn`) lives only as long as that sign-in.
   */
  accept(
    principal: Principal,
    signIn: SignIn | undefined,
    after: string | undefined,
    req: Request,
    res: Response,
  ): void {
    const upgrade = this.upgrades.get(req);
    if (!upgrade) {
      throw new ApiError(426, 'upgrade_required', 'GET /ws is a WebSocket: send Upgrade: websocket');
    }
    const origin = req.get('origin');
    if (origin !== undefined && this.hosts && !this.hosts.allowsOrigin(origin)) {
      throw new ApiError(
        403,
        'origin_not_allowed',
        `pages at "${origin.slice(0, 100)}" may not open the feed; its operator may add that host to ORCHESTRA_API_ALLOWED_HOSTS`,
      );
    }
    res.statusCode = 101; // for the request log; `ws` writes the answer itself
    this.upgrades.delete(req);
    this.wss.handleUpgrade(req, upgrade.socket, upgrade.head, (ws) =>
      this.serve(ws, principal, signIn, after),
    );
  }

  /** Close every connection (the API shuts down): a `shutdown` frame, then 1001. */
  close(): void {
    clearInterval(this.ping);
    for (const ws of this.wss.clients) {
      this.send(ws, {
        id: this.deps.feed.lastId,
        event: 'shutdown',
        source: 'feed',
        data: { reason: 'the API is shutting down; reconnect and resume' },
      });
      ws.close(1001, 'the API is shutting down');
    }
    const stragglers = setTimeout(() => {
      for (const ws of this.wss.clients) ws.terminate();
    }, 1000);
    stragglers.unref();
    this.wss.close();
  }

  private serve(
    ws: WebSocket,
    principal: Principal,
    signIn: SignIn | undefined,
    after: string | undefined,
  ): void {
    const { signIns } = this.deps;
    // Logout or expiry closes it: the upgrade was the only check, and the socket steers agents.
    const unwatch = signIn && signIns ? signIns.watch(signIn, () => this.signedOut(ws)) : undefined;
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    let hello: string | undefined;
    const close = this.deps.feed.open(principal, after, (frame) => {
      hello ??= frame.id; // the first frame: everything after it comes live
      this.send(ws, frame);
    });
    let inFlight = 0;
    ws.on('message', (data, isBinary) => {
      // A command that arrives while the close for an ended sign-in is under way is not run.
      if (signIn && !signIns?.live(signIn)) return this.signedOut(ws);
      const command = isBinary ? undefined : parseCommand(data.toString());
      if (!command)
        return this.reply(ws, refusal('', new ApiError(400, 'bad_request', 'commands are JSON text')));
      if (!('type' in command)) return this.reply(ws, command);
      if (command.type === 'resume')
        return this.reply(ws, this.resume(ws, principal, command.requestId, command.after, hello!));
      if (inFlight >= MAX_IN_FLIGHT) {
        return this.reply(
          ws,
          refusal(
            command.requestId,
            new ApiError(429, 'too_many_requests', `at most ${MAX_IN_FLIGHT} commands at once`),
          ),
        );
      }
      inFlight += 1;
      void runCommand(this.deps, principal, command).then((reply) => {
        inFlight -= 1;
        this.reply(ws, reply);
      });
    });
    ws.on('close', () => {
      this.alive.delete(ws);
      unwatch?.();
      close();
    });
    ws.on('error', () => ws.terminate());
  }

  /** What came after `after` up to this connection's hello (the rest it had live), or `resync`. */
  private resume(
    ws: WebSocket,
    principal: Principal,
    requestId: string,
    after: string,
    hello: string,
  ): FeedReply {
    const missed = this.deps.feed.replay(after, hello);
    if (!missed) {
      this.send(ws, {
        id: hello,
        event: FEED_EVENTS.resync,
        source: 'feed',
        data: { after, reason: 'that id is not held: read the lists again' },
      });
      return { requestId, ok: true, result: { resync: true } };
    }
    const visible = missed.filter((f) => this.deps.feed.visibleTo(principal, f));
    for (const f of visible) this.send(ws, f);
    return { requestId, ok: true, result: { replayed: visible.length } };
  }

  /** The sign-in ended: a `signed_out` frame, then close 4401. */
  private signedOut(ws: WebSocket): void {
    this.send(ws, this.deps.feed.signedOut());
    ws.close(SIGNED_OUT_CLOSE, 'signed out');
  }

  private reply(ws: WebSocket, reply: FeedReply): void {
    this.send(ws, { id: this.deps.feed.lastId, event: FEED_EVENTS.reply, source: 'feed', data: reply });
  }

  private send(ws: WebSocket, frame: FeedFrame): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(TOO_SLOW, 'too far behind: reconnect and resume from the last id');
      return;
    }
    ws.send(JSON.stringify(frame));
  }

  private pingAll(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.get(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}
