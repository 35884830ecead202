/**
 * Search attributes that make agents listable and filterable in the Web UI and with
 * `temporal workflow list --query 'OrchestraStatus="paused"'`. Pure (no Node APIs):
 * workflows, activities and clients import it.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { AgentConfig } from './agent';
import { oneLine } from './one-line';

export const OrchestraStatus = defineSearchAttributeKey('OrchestraStatus', SearchAttributeType.KEYWORD);
export const OrchestraAgentKind = defineSearchAttributeKey('OrchestraAgentKind', SearchAttributeType.KEYWORD);
export const OrchestraSessionId = defineSearchAttributeKey('OrchestraSessionId', SearchAttributeType.KEYWORD);
export const OrchestraSwarmId = defineSearchAttributeKey('OrchestraSwarmId', SearchAttributeType.KEYWORD);
/** The agent that started this one (subagents), so a tree can be listed level by level. */
export const OrchestraParentId = defineSearchAttributeKey('OrchestraParentId', SearchAttributeType.KEYWORD);
/** The workspace an agent, swarm or session belongs to: who may see it. */
export const OrchestraWorkspace = defineSearchAttributeKey('OrchestraWorkspace', SearchAttributeType.KEYWORD);
/** The user who started it (or whose agent did): who may control it. */
export const OrchestraOwner = defineSearchAttributeKey('OrchestraOwner', SearchAttributeType.KEYWORD);
/** Money spent so far in USD (an agent's own calls; a swarm's or session's agents; a day's ledger). */
export const OrchestraCostUsd = defineSearchAttributeKey('OrchestraCostUsd', SearchAttributeType.DOUBLE);
/** The call ids of an agent's pending approvals: `OrchestraApprovals = "toolu_..."` finds the agent. */
export const OrchestraApprovals = defineSearchAttributeKey(
  'OrchestraApprovals',
  SearchAttributeType.KEYWORD_LIST,
);

/** Every key, for registering with a server (`--search-attribute NAME=Keyword`). */
export const SEARCH_ATTRIBUTES = [
  OrchestraStatus,
  OrchestraAgentKind,
  OrchestraSessionId,
  OrchestraSwarmId,
  OrchestraParentId,
  OrchestraWorkspace,
  OrchestraOwner,
  OrchestraCostUsd,
  OrchestraApprovals,
];

const optional = <T>(key: SearchAttributePair['key'], value: T | undefined) =>
  value === undefined ? [] : [{ key, value } as SearchAttributePair];

/**
 * What an agent starts with, wherever it is started: by a person, a swarm or another agent.
 * With a task it starts `running` (its first step makes it so), which spares that step an upsert.
 */
export function agentSearchAttributes(config: AgentConfig, task?: string): SearchAttributePair[] {
  return [
    { key: OrchestraStatus, value: task ? 'running' : 'idle' },
    { key: OrchestraAgentKind, value: config.type },
    ...optional(OrchestraParentId, config.parentId),
    ...optional(OrchestraSessionId, config.sessionId),
    ...optional(OrchestraSwarmId, config.swarmId),
    ...ownershipAttributes(config),
  ];
}

/** The task as an agent listing shows it (`orchestra agent list`, `GET /agents`). */
export const LISTED_TASK_CHARS = 200;

/** The memo an agent starts with: its name and task, which visibility returns with each listed run. */
export function agentMemo(config: AgentConfig, task?: string): { name: string; task: string } {
  return { name: config.name, task: oneLine(task ?? '', LISTED_TASK_CHARS) };
}

/** A swarm's memo: its strategy and task, for listings as an agent's. */
export function swarmMemo(spec: { strategy: string; task: string }): { strategy: string; task: string } {
  return { strategy: spec.strategy, task: oneLine(spec.task, LISTED_TASK_CHARS) };
}

/** A session's memo: its name, for listings. */
export function sessionMemo(state: { name: string }): { name: string } {
  return { name: oneLine(state.name, LISTED_TASK_CHARS) };
}

/** Workspace and owner, for swarms and sessions as for agents. */
export function ownershipAttributes(of: { workspace?: string; owner?: string }): SearchAttributePair[] {
  return [...optional(OrchestraWorkspace, of.workspace), ...optional(OrchestraOwner, of.owner)];
}
