/**
 * The payload converter of every Orchestra worker: the SDK's own, except that a payload it
 * cannot decode becomes an `Undecodable` value instead of an exception.
 *
 * Signals come from outside (`temporal workflow signal --input-meta encoding=foo/bar`, or bytes
 * that are not JSON). The SDK decodes a signal's arguments before any handler runs, and a
 * decoding error there fails the workflow task, again at every retry: the workflow is wedged,
 * and its queries and cancel fail with it. As a value, the payload reaches the handler, whose
 * schema refuses it like any other bad payload (an agent records an `ignored` event).
 *
 * Pure: it runs inside the workflow sandbox too (`payloadConverterPath`).
 */
import {
  defaultPayloadConverter,
  type Payload,
  type PayloadConverter,
  type SerializationContext,
} from '@temporalio/common';
import { decode } from '@temporalio/common/lib/encoding';

/** A payload that could not be decoded: what a handler receives in its place. */
export interface Undecodable {
  undecodable: { encoding: string; reason: string };
}

function encodingOf(payload: Payload): string {
  const raw = payload.metadata?.encoding;
  if (!raw) return '(none)';
  try {
    return decode(raw).slice(0, 100);
  } catch {
    return '(not text)';
  }
}

class TolerantPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T, context?: SerializationContext): Payload {
    return defaultPayloadConverter.toPayload(value, context);
  }

  fromPayload<T>(payload: Payload, context?: SerializationContext): T {
    try {
      return defaultPayloadConverter.fromPayload<T>(payload, context);
    } catch (err) {
      const reason = err instanceof Error ? err.message.slice(0, 200) : 'cannot be decoded';
      const value: Undecodable = { undecodable: { encoding: encodingOf(payload), reason } };
      return value as T;
    }
  }
}

export const payloadConverter: PayloadConverter = new TolerantPayloadConverter();
