/**
 * Bearer tokens: each maps to a user and the workspaces the user belongs to. Configured as
 * JSON, inline (ORCHESTRA_API_TOKENS) or in a file (ORCHESTRA_API_TOKENS_FILE):
 *
 *   { "users": [ { "id": "alice", "token": "<at least 24 chars>", "workspaces": ["acme"] },
 *                { "id": "ops", "tokenSha256": "<hex>", "workspaces": ["acme"], "admin": true } ] }
 *
 * Only SHA-256 digests are kept in memory; a request's token is hashed and compared with
 * every digest in constant time, so neither timing nor an early exit says which was close.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssue, workspaceIdSchema } from '../domain';
import type { Principal } from './principal';

const userSchema = z
  .object({
    id: workspaceIdSchema.describe('The user name: the owner of what they start'),
    token: z.string().min(24, 'tokens must be at least 24 characters').max(512).optional(),
    tokenSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest: 64 lowercase hex characters')
      .optional(),
    workspaces: z.array(workspaceIdSchema).min(1).max(1000),
    admin: z.boolean().default(false),
  })
  .strict()
  .refine((u) => (u.token === undefined) !== (u.tokenSha256 === undefined), {
    message: 'give exactly one of token and tokenSha256',
  });

export const tokensFileSchema = z
  .object({ users: z.array(userSchema).min(1) })
  .strict()
  .superRefine((file, ctx) => {
    const ids = file.users.map((u) => u.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `user "${dup}" appears twice`, path: ['users'] });
  });

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export class TokenTable {
  private constructor(private readonly entries: Array<{ digest: Buffer; principal: Principal }>) {}

  static parse(json: string, source: string): TokenTable {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch (err) {
      throw new Error(`${source}: not JSON (${(err as Error).message})`);
    }
    const parsed = tokensFileSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`${source}: ${describeIssue(parsed.error)}`);
    const entries = parsed.data.users.map((u) => ({
      digest: u.token ? sha256(u.token) : Buffer.from(u.tokenSha256!, 'hex'),
      principal: { user: u.id, workspaces: u.workspaces, admin: u.admin },
    }));
    const digests = entries.map((e) => e.digest.toString('hex'));
    if (new Set(digests).size !== digests.length) throw new Error(`${source}: two users share a token`);
    return new TokenTable(entries);
  }

  /** From the environment: the inline JSON or the file; undefined when neither is set. */
  static load(config: { tokens?: string; tokensFile?: string }): TokenTable | undefined {
    if (config.tokens && config.tokensFile) {
      throw new Error('set ORCHESTRA_API_TOKENS or ORCHESTRA_API_TOKENS_FILE, not both');
    }
    if (config.tokens) return TokenTable.parse(config.tokens, 'ORCHESTRA_API_TOKENS');
    if (config.tokensFile) {
      let text: string;
      try {
        text = readFileSync(config.tokensFile, 'utf8');
      } catch (err) {
        throw new Error(
          `ORCHESTRA_API_TOKENS_FILE: cannot read ${config.tokensFile} (${(err as Error).message})`,
        );
      }
      return TokenTable.parse(text, config.tokensFile);
    }
    return undefined;
  }

  /** A secret every replica with this table shares: the key of page cursors. */
  secret(): Buffer {
    const hash = createHash('sha256').update('orchestra-cursor-key');
    for (const e of this.entries) hash.update(e.digest);
    return hash.digest();
  }

  /**
   * Each user by a tag of their token's digest (`tag` keyed by the caller): how a browser
   * sign-in names the token that made it without holding it (sign-in.ts).
   */
  tagged(tag: (digest: Buffer) => string): Map<string, Principal> {
    return new Map(this.entries.map((e) => [tag(e.digest), e.principal]));
  }

  /** The user the token belongs to, or undefined. Looks at every entry, whatever matches. */
  authenticate(token: string): Principal | undefined {
    const digest = sha256(token);
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest)) found = entry.principal;
    }
    return found;
  }
}
