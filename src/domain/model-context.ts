/**
 * What a model call carries: not the whole conversation, which would put it in the
 * workflow's history again on every turn (the history would grow with the square of the
 * turns), but the messages added since the last call, on top of what the model worker
 * already holds. A chained digest names each prefix of the conversation, so the worker
 * knows whether what it holds is the prefix the agent means; when it is not (another
 * worker, a restart), it asks the agent for the whole context once. Pure.
 */
import type { ConversationMessage } from './messages';

/** The digest of a conversation with no messages (and the seed of every chain). */
export const EMPTY_DIGEST = '0';

/**
 * A 53-bit string hash (cyrb53), as 11 base-36 digits: cheap, deterministic, and enough
 * to tell prefixes of one agent's conversation apart. Not a security measure.
 */
export function digestOf(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36).padStart(11, '0');
}

/** The digest of `messages` appended to a conversation whose digest is `base`. */
export function chainDigest(base: string, messages: readonly ConversationMessage[]): string {
  let digest = base;
  for (const m of messages) digest = digestOf(`${digest}\n${JSON.stringify(m)}`);
  return digest;
}

/** A prefix of the conversation: its first `count` messages, and their digest. */
export interface ContextMark {
  count: number;
  digest: string;
}

/** The conversation part of a model call's input. */
export interface ModelContextInput {
  /** What the worker should already hold; absent: `messages` is the whole conversation. */
  base?: ContextMark;
  /** The messages after the base. */
  messages: ConversationMessage[];
  /** The digest of the whole conversation: the base and `messages`. */
  digest: string;
  /** The digest of the system prompt; the prompt itself travels only when it changed. */
  systemDigest: string;
  system?: string;
}

/** What the agent answers when a model worker asks for the whole context (the `modelContext` query). */
export interface ModelContext {
  system: string;
  messages: ConversationMessage[];
}

/**
 * The input for the next call, given what the last successful call sent (`sent`). The
 * conversation's first `sent.count` messages must be the ones sent then, unchanged.
 */
export function nextContext(
  conversation: readonly ConversationMessage[],
  system: string,
  sent: (ContextMark & { systemDigest: string }) | undefined,
): ModelContextInput {
  const systemDigest = digestOf(system);
  const base = sent && sent.count <= conversation.length ? sent : undefined;
  const messages = conversation.slice(base?.count ?? 0);
  return {
    ...(base ? { base: { count: base.count, digest: base.digest } } : {}),
    messages,
    digest: chainDigest(base?.digest ?? EMPTY_DIGEST, messages),
    systemDigest,
    ...(base?.systemDigest === systemDigest ? {} : { system }),
  };
}
