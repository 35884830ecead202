/**
 * The conversation, in the shape of the Anthropic Messages API but owned by us,
 * so workflow code needs no SDK import.
 */

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string;
  is_error?: boolean;
}

export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock;

export interface ConversationMessage {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface TokenUsage {
  input: number;
  output: number;
}

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'pause_turn' | 'refusal';

/** What one model call returns to the workflow. */
export interface ModelReply {
  content: Array<TextBlock | ToolUseBlock>;
  stopReason: StopReason | null;
  usage: TokenUsage;
  /** Prompt-cache tokens, priced apart. */
  cache?: { write: number; read: number };
  model: string;
  /** USD, by the worker's price table; 0 when the model is not in it (`priced` false). */
  costUsd?: number;
  priced?: boolean;
  /** The activity attempt that answered: above 1, the call recovered from a failure. */
  attempt?: number;
  /** How long the call took on the worker, in ms: it decides whether the next one may run locally. */
  durationMs?: number;
}

/** A local model call still running after its time: a queued call adopts it by this id. */
export interface HandedOff {
  handedOff: string;
}

export function textOf(blocks: readonly ContentBlock[]): string {
  return blocks
    .filter((b): b is TextBlock => b.type === 'text')
    .map((b) => b.text)
    .join('');
}

export function toolUsesOf(blocks: readonly ContentBlock[]): ToolUseBlock[] {
  return blocks.filter((b): b is ToolUseBlock => b.type === 'tool_use');
}
