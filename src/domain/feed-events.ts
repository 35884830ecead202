/**
 * The feed's own event names (the rest come from the agents' and swarms' logs), and how a
 * connection whose sign-in ended is closed: apart from the feed's schemas, so the browser's
 * bundle takes them without zod.
 */
export const FEED_EVENTS = {
  /** First frame on a connection: who you are, the feed's current id. */
  hello: 'hello',
  /** The client was too far behind: read the lists again, then go on from here. */
  resync: 'resync',
  /** A command's answer (WebSocket only). */
  reply: 'reply',
  /** The sign-in (cookie) that opened this connection ended, by logout or expiry: the connection closes next. */
  signedOut: 'signed_out',
} as const;

/** Close code for a WebSocket whose sign-in ended (4000-4999 are the application's: HTTP's 401). */
export const SIGNED_OUT_CLOSE = 4401;
/** What a connection whose sign-in ended is told, in its last frame (WebSocket or SSE). */
export const SIGNED_OUT_REASON = 'the sign-in has ended: sign in again';
