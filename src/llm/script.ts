/**
 * Scripts for the scripted Anthropic-compatible server: a test double for a paid
 * service. A script is chosen by a substring of the conversation's first user message,
 * and its turn by how many assistant messages the request already holds, so a retried
 * call gets the same turn again (a crash or a 429 never skips ahead).
 */
import { z } from 'zod';

export const scriptedErrorSchema = z
  .object({
    status: z.number().int().min(400).max(599).describe('HTTP status to answer with'),
    type: z.string().optional().describe('Anthropic error type (derived from the status when absent)'),
    message: z.string().optional(),
    retryAfter: z.number().min(0).optional().describe('Seconds, sent as the retry-after header'),
    retryAfterMs: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Milliseconds, sent as the retry-after-ms header (Anthropic's, read before retry-after)"),
  })
  .strict();

export const scriptedTurnSchema = z
  .object({
    text: z.string().optional().describe('Assistant text'),
    toolCalls: z
      .array(z.object({ name: z.string().min(1), input: z.record(z.string(), z.unknown()) }).strict())
      .optional(),
    stopReason: z.enum(['end_turn', 'tool_use', 'max_tokens']).optional(),
    delayMs: z.number().int().min(0).optional().describe('Wait before answering (a slow model)'),
    slowAttempts: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Only the first N attempts wait delayMs (default: all)'),
    chunkDelayMs: z.number().int().min(0).optional().describe('Wait between streamed chunks'),
    gate: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Answer only once the gate of this name is open (the server's openGate): a call as long as a test needs",
      ),
    textGate: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Stream the first half of the text, then go on only once the gate of this name is open: a reply caught as it is written',
      ),
    errors: z.array(scriptedErrorSchema).optional().describe('Answers to the first attempts of this turn'),
  })
  .strict();

export const scriptSchema = z
  .object({
    name: z.string().min(1),
    match: z.string().optional().describe('Substring of the first user message; absent: matches anything'),
    turns: z.array(scriptedTurnSchema).min(1),
    repeatLast: z.boolean().optional().describe('Answer every turn past the end with the last one'),
  })
  .strict();

export type ScriptedError = z.infer<typeof scriptedErrorSchema>;
export type ScriptedTurn = z.infer<typeof scriptedTurnSchema>;
export type Script = z.infer<typeof scriptSchema>;

export const scriptFileSchema = z.union([scriptSchema, z.array(scriptSchema)]);

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function errorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}
