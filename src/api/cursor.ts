/**
 * Page cursors. Temporal's page tokens are opaque bytes, and the server answers a forged one
 * with an error the client retries until its deadline. So a cursor is the token sealed with
 * an HMAC over the query it belongs to: a forged or foreign cursor is a 400 at once.
 * The key comes from the token table, so every API replica with the same tokens accepts the
 * others' cursors; without tokens (one loopback process) it is random.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors';

export class Cursors {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  seal(token: string | undefined, scope: string): string | undefined {
    return token === undefined ? undefined : `${token}.${this.mac(token, scope)}`;
  }

  open(cursor: string | undefined, scope: string): string | undefined {
    if (cursor === undefined) return undefined;
    const dot = cursor.lastIndexOf('.');
    const token = cursor.slice(0, dot);
    const mac = Buffer.from(cursor.slice(dot + 1));
    const expected = Buffer.from(this.mac(token, scope));
    if (dot <= 0 || mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
      throw new ApiError(400, 'invalid_request', 'invalid cursor: pass back the nextCursor of the same list');
    }
    return token;
  }

  private mac(token: string, scope: string): string {
    return createHmac('sha256', this.key).update(`${scope}\n${token}`).digest('base64url').slice(0, 22);
  }
}

/** One page of a list, its cursors sealed to `scope` (the list and its filters). */
export async function sealedPage<T>(
  cursors: Cursors,
  scope: unknown[],
  cursor: string | undefined,
  fetch: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>,
): Promise<{ items: T[]; nextCursor?: string }> {
  const key = JSON.stringify(scope);
  const page = await fetch(cursors.open(cursor, key));
  return { items: page.items, nextCursor: cursors.seal(page.nextCursor, key) };
}
