/**
 * The floor the bench measures Orchestra against: a minimal Temporal agent loop. Per turn one
 * model activity (a regular activity) and, for each tool call, list_files as a local activity;
 * the conversation lives in workflow state and travels in every model activity's input.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type Anthropic from '@anthropic-ai/sdk';
import type { MinimalActivities } from './minimal-activities';

const { callModel } = proxyActivities<MinimalActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});
const { listFiles } = proxyLocalActivities<MinimalActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

export interface MinimalLoopInput {
  task: string;
  cwd: string;
  /** Most model calls (the scripted model decides when it ends). */
  turns: number;
}

/** Returns the number of model calls made. */
export async function minimalLoop({ task, cwd, turns }: MinimalLoopInput): Promise<number> {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: task }];
  for (let turn = 1; turn <= turns; turn++) {
    const reply = await callModel(messages);
    messages.push({ role: 'assistant', content: reply });
    const calls = reply.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    if (calls.length === 0) return turn;
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const call of calls) {
      results.push({
        type: 'tool_result',
        tool_use_id: call.id,
        content: await listFiles({ cwd, args: call.input }),
      });
    }
    messages.push({ role: 'user', content: results });
  }
  return turns;
}
