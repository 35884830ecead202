/** The feed's own event names, apart from its schemas: the browser's bundle takes them without zod. */
/** Feed-level event names (the rest come from the agents' and swarms' logs). */
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
