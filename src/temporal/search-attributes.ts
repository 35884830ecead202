/**
 * Search attributes that make agents listable and filterable in the Web UI and with
 * `temporal workflow list --query 'OrchestraStatus="paused"'`. Pure: workflows import it.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const OrchestraStatus = defineSearchAttributeKey('OrchestraStatus', SearchAttributeType.KEYWORD);
export const OrchestraAgentKind = defineSearchAttributeKey('OrchestraAgentKind', SearchAttributeType.KEYWORD);
export const OrchestraSessionId = defineSearchAttributeKey('OrchestraSessionId', SearchAttributeType.KEYWORD);
export const OrchestraSwarmId = defineSearchAttributeKey('OrchestraSwarmId', SearchAttributeType.KEYWORD);
/** The agent that started this one (subagents), so a tree can be listed level by level. */
export const OrchestraParentId = defineSearchAttributeKey('OrchestraParentId', SearchAttributeType.KEYWORD);

/** Every key, for registering with a server (`--search-attribute NAME=Keyword`). */
export const SEARCH_ATTRIBUTES = [
  OrchestraStatus,
  OrchestraAgentKind,
  OrchestraSessionId,
  OrchestraSwarmId,
  OrchestraParentId,
];
