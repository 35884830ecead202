/**
 * Payload encryption: every payload a client or worker sends to Temporal (prompts, code, tool
 * output, results) is sealed with AES-256-GCM before it leaves the process, so the server and
 * its database hold ciphertext only. Keys come from ORCHESTRA_ENCRYPTION_KEYS:
 *
 *   ORCHESTRA_ENCRYPTION_KEYS="k2=<base64 of 32 bytes>,k1=<base64 of 32 bytes>"
 *
 * The first key seals; every listed key opens what it sealed (each payload names its key), so
 * a key is rotated by putting the new one first and dropping the old one once nothing running
 * or retained needs it. Payloads that were never sealed pass through, so turning encryption on
 * keeps older histories readable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { OrchestraError } from '../domain/errors';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

/** A missing or wrong key, or a damaged payload: the server's configuration, not the caller's request. */
export class EncryptionKeyError extends OrchestraError {
  constructor(message?: string) {
    super('internal', message);
  }
}

const keyListSchema = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,64}=[A-Za-z0-9+/]+=*$/, 'each entry is <key id>=<base64 key>')
          .transform((entry) => {
            const at = entry.indexOf('=');
            return { id: entry.slice(0, at), key: Buffer.from(entry.slice(at + 1), 'base64') };
          })
          .refine((k) => k.key.length === 32, 'each key is 32 bytes (AES-256), base64-encoded'),
      )
      .min(1, 'at least one key'),
  )
  .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'key ids are unique');

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** The keys of ORCHESTRA_ENCRYPTION_KEYS, the sealing one first; a clear error when malformed. */
export function parseEncryptionKeys(raw: string): EncryptionKey[] {
  const parsed = keyListSchema.safeParse(raw);
  if (!parsed.success)
    throw new EncryptionKeyError(
      `ORCHESTRA_ENCRYPTION_KEYS: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  return parsed.data;
}

/** A new random key, as an ORCHESTRA_ENCRYPTION_KEYS entry. */
export function newKeyEntry(id: string): string {
  return `${id}=${randomBytes(32).toString('base64')}`;
}

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: EncryptionKey[]) {
    if (keys.length === 0) throw new EncryptionKeyError('an encryption codec needs a key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0];
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is bound to the ciphertext: a payload relabelled with another key fails.
      cipher.setAAD(text(id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID]: text(id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (str(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = str(payload.metadata?.[KEY_ID]) ?? '';
      const key = this.byId.get(id);
      if (!key)
        throw new EncryptionKeyError(
          `a payload was sealed with key "${id}", which ORCHESTRA_ENCRYPTION_KEYS does not list`,
        );
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new EncryptionKeyError('a sealed payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(text(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The codecs for this environment: encryption when keys are set, none otherwise. */
export function payloadCodecs(env: NodeJS.ProcessEnv = process.env): PayloadCodec[] {
  const raw = env.ORCHESTRA_ENCRYPTION_KEYS;
  return raw ? [new EncryptionCodec(parseEncryptionKeys(raw))] : [];
}
