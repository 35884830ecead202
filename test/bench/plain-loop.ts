/** The baseline of every figure: the same agent loop, plain and in process, no durability. */
import Anthropic from '@anthropic-ai/sdk';
import { listFiles } from '../../activities/tools/files';
import { toolDefinition } from '../../src/domain';

export function plainClient(baseURL: string): Anthropic {
  return new Anthropic({ apiKey: 'bench', baseURL, maxRetries: 0 });
}

const tools = [toolDefinition('list_files')] as Anthropic.Tool[];

/** Streamed model calls and list_files until the model answers with text; returns the model calls made. */
export async function plainLoop(sdk: Anthropic, task: string, cwd: string): Promise<number> {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: task }];
  for (let turn = 1; ; turn++) {
    const reply = await sdk.messages
      .stream({ model: 'bench', max_tokens: 1024, messages, tools })
      .finalMessage();
    messages.push({ role: 'assistant', content: reply.content });
    const calls = reply.content.filter((b) => b.type === 'tool_use');
    if (calls.length === 0) return turn;
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const call of calls) {
      const outcome = await listFiles({ agentId: 'plain', cwd, args: call.input as never });
      results.push({
        type: 'tool_result',
        tool_use_id: call.id,
        content: outcome.ok ? outcome.output : outcome.error,
      });
    }
    messages.push({ role: 'user', content: results });
  }
}
