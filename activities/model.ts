/** callModel: one streamed Messages API call, heartbeating, cancellable, retried by Temporal. */
import Anthropic from '@anthropic-ai/sdk';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  ModelFailure,
  modelProgress,
  toolDefinition,
  type ConversationMessage,
  type ModelReply,
  type StopReason,
  type TextBlock,
  type ToolName,
  type ToolUseBlock,
} from '../src/domain';
import { classifyModelError } from './model-errors';

export interface CallModelInput {
  agentId: string;
  model: string;
  system: string;
  messages: ConversationMessage[];
  tools: ToolName[];
  temperature?: number;
  maxTokens: number;
}

export interface ModelEndpoint {
  apiKey?: string;
  baseURL?: string;
}

export function createCallModel(endpoint: ModelEndpoint) {
  let client: Anthropic | undefined;
  const getClient = (): Anthropic => {
    if (!endpoint.apiKey) {
      throw ApplicationFailure.nonRetryable(
        'no ANTHROPIC_API_KEY: set it, or point ANTHROPIC_BASE_URL at the scripted server',
        ModelFailure.rejected,
      );
    }
    // Temporal owns retries; the SDK's would stack on top of them.
    client ??= new Anthropic({ apiKey: endpoint.apiKey, baseURL: endpoint.baseURL, maxRetries: 0 });
    return client;
  };

  return async function callModel(input: CallModelInput): Promise<ModelReply> {
    const ctx = Context.current();
    const anthropic = getClient();
    let received = 0;
    let text = '';
    // The SDK sends the latest heartbeat at most once per throttle interval, so beating on every
    // event costs nothing. Beat while waiting for the first byte too: a lost worker is noticed promptly.
    const beat = setInterval(() => ctx.heartbeat(modelProgress(received, text)), 1000);
    try {
      const stream = anthropic.messages.stream(
        {
          model: input.model,
          system: input.system,
          max_tokens: input.maxTokens,
          messages: input.messages as Anthropic.MessageParam[],
          // An agent without tools (a judge) sends none: the API refuses an empty list.
          ...(input.tools.length ? { tools: input.tools.map(toolDefinition) as Anthropic.Tool[] } : {}),
          ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
        },
        { signal: ctx.cancellationSignal },
      );
      stream.on('streamEvent', () => {
        received += 1;
        ctx.heartbeat(modelProgress(received, text));
      });
      stream.on('text', (delta) => {
        text += delta;
      });
      const message = await stream.finalMessage();
      return toReply(message);
    } catch (err) {
      if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
      throw classifyModelError(err);
    } finally {
      clearInterval(beat);
    }
  };
}

function toReply(message: Anthropic.Message): ModelReply {
  const content: Array<TextBlock | ToolUseBlock> = [];
  for (const block of message.content) {
    if (block.type === 'text') content.push({ type: 'text', text: block.text });
    else if (block.type === 'tool_use') {
      content.push({ type: 'tool_use', id: block.id, name: block.name, input: block.input });
    }
  }
  return {
    content,
    stopReason: (message.stop_reason as StopReason | null) ?? null,
    usage: { input: message.usage.input_tokens, output: message.usage.output_tokens },
    model: message.model,
  };
}
