/** Every tool's name, in one leaf, so the tool schemas (tools.ts, task-tools.ts) can name the others. Pure. */
export const TOOL_NAME_LIST = [
  'bash',
  'read_file',
  'write_file',
  'edit_file',
  'list_files',
  'grep',
  'todo',
  'task',
  'task_output',
  'task_cancel',
  'task_list',
  'delegate',
  'send_message',
  'broadcast',
  'handoff',
  'report_finding',
] as const;

/** What an agent with `task` gets with it: the tools that read, stop and list its subagents. */
export const TASK_COMPANION_TOOLS = ['task_output', 'task_cancel', 'task_list'] as const;

/** `tools` with the companions of `task` added when it has `task` (and lacks them). */
export function withTaskCompanions<T extends string>(tools: T[]): T[] {
  if (!tools.includes('task' as T)) return tools;
  const missing = TASK_COMPANION_TOOLS.filter((t) => !tools.includes(t as string as T));
  return missing.length ? [...tools, ...(missing as string[] as T[])] : tools;
}
