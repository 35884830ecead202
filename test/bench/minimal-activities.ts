/**
 * The activities of the minimal Temporal loop (minimal-workflow.ts): one streamed model call
 * through @anthropic-ai/sdk, exactly as the plain loop makes it, and the same list_files tool.
 * The model activity is named callModel like Orchestra's, so the history part counts both alike.
 */
import Anthropic from '@anthropic-ai/sdk';
import { listFiles } from '../../activities/tools/files';
import { toolDefinition } from '../../src/domain';

export const MINIMAL_MODEL = 'bench';

export function createMinimalActivities(baseURL: string) {
  const sdk = new Anthropic({ apiKey: 'bench', baseURL, maxRetries: 0 });
  const tools = [toolDefinition('list_files')] as Anthropic.Tool[];
  return {
    async callModel(messages: Anthropic.MessageParam[]): Promise<Anthropic.ContentBlock[]> {
      const reply = await sdk.messages
        .stream({ model: MINIMAL_MODEL, max_tokens: 1024, messages, tools })
        .finalMessage();
      return reply.content;
    },
    async listFiles(input: { cwd: string; args: unknown }): Promise<string> {
      const outcome = await listFiles({ agentId: 'minimal', cwd: input.cwd, args: input.args as never });
      return outcome.ok ? outcome.output : outcome.error;
    },
  };
}

export type MinimalActivities = ReturnType<typeof createMinimalActivities>;
