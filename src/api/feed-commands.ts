/**
 * The feed's commands (src/domain/feed.ts), each checked as its REST route checks it: spawn as
 * POST /agents, pause, resume, message and kill as the control routes, approve as POST
 * /approvals/:callId. The answer is a `reply`'s data; a refusal carries the code and message
 * the route's error body would.
 */
import {
  describeIssue,
  feedCommandSchema,
  spawnRequestSchema,
  type FeedCommand,
  type FeedReply,
} from '../domain';
import { control } from './access';
import { ApiError, toApiError } from './errors';
import type { Principal } from './principal';
import type { ApiDeps } from './route';
import { spawnAs } from './routes/agents';
import { answerAs } from './routes/approvals';

/** A command's text as it came over the socket, answered. `resume` is the connection's own, not run here. */
export async function runCommand(
  deps: ApiDeps,
  principal: Principal,
  command: FeedCommand,
): Promise<FeedReply> {
  try {
    const result = await deps.gate.run(() => act(deps, principal, command), deps.requestTimeoutMs);
    return { requestId: command.requestId, ok: true, result };
  } catch (err) {
    return refusal(command.requestId, err);
  }
}

/** The command in `text`, or the reply that refuses it (bad JSON, an unknown command, a bad field). */
export function parseCommand(text: string): FeedCommand | FeedReply {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return refusal('', new ApiError(400, 'malformed_json', 'a command is a JSON object'));
  }
  const parsed = feedCommandSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const requestId = (raw as { requestId?: unknown } | null)?.requestId;
  return refusal(
    typeof requestId === 'string' ? requestId.slice(0, 100) : '',
    new ApiError(400, 'invalid_request', `invalid command: ${describeIssue(parsed.error)}`),
  );
}

export function refusal(requestId: string, err: unknown): FeedReply {
  const { apiCode: code, message } = toApiError(err);
  return { requestId, ok: false, error: { code, message } };
}

function act(deps: ApiDeps, p: Principal, command: FeedCommand): Promise<unknown> {
  switch (command.type) {
    case 'spawn_agent': {
      const body = spawnRequestSchema.safeParse(command.request);
      if (!body.success)
        throw new ApiError(400, 'invalid_request', `invalid request: ${describeIssue(body.error)}`);
      return spawnAs(deps, p, body.data);
    }
    case 'send_message':
      return control(deps, p, 'agent', command.agentId, 'message', { content: command.content });
    case 'pause_agent':
      return control(deps, p, 'agent', command.agentId, 'pause', reason(command.reason));
    case 'resume_agent':
      return control(deps, p, 'agent', command.agentId, 'resume', command.task ? { task: command.task } : {});
    case 'kill_agent':
      return control(deps, p, 'agent', command.agentId, 'cancel', reason(command.reason));
    case 'approve':
      return answerAs(deps, p, command.callId, {
        decision: command.decision,
        ...(command.note === undefined ? {} : { note: command.note }),
        ...(command.agentId === undefined ? {} : { agentId: command.agentId }),
      });
    case 'resume':
      throw new ApiError(400, 'bad_request', 'resume is answered by the connection');
  }
}

const reason = (why?: string) => (why === undefined ? {} : { reason: why });
