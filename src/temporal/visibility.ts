/**
 * One page of a visibility query, with the server's own page token as an opaque cursor.
 * The client's `list()` walks every page and hides the token; an API needs pages.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { BadRequestError } from './errors';
import { OrchestraOwner, OrchestraStatus, OrchestraWorkspace } from '../domain/search-attributes';

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** A visibility query's string literal. */
export const quote = (v: string): string => `"${v.replace(/["\\]/g, '\\$&')}"`;

/** `Key IN ("a", "b")`; an empty list matches nothing. */
export function inClause(key: string, values: string[]): string {
  return values.length ? `${key} IN (${values.map(quote).join(', ')})` : `${key} = ""`;
}

export async function listPage(
  client: Client,
  query: string,
  pageSize: number,
  cursor?: string,
): Promise<Page<WorkflowExecutionInfo>> {
  const { namespace, loadedDataConverter } = client.options;
  let response;
  try {
    response = await client.workflowService.listWorkflowExecutions({
      namespace,
      query,
      pageSize,
      nextPageToken: cursor ? Buffer.from(cursor, 'base64url') : undefined,
    });
  } catch (err) {
    // A cursor the server did not issue (or one from another query) is the caller's mistake.
    if (cursor && (err as { code?: number }).code === 3) throw new BadRequestError('invalid cursor');
    throw err;
  }
  const items = await Promise.all(
    (response.executions ?? []).map((raw) =>
      executionInfoFromRaw(raw, loadedDataConverter, raw, namespace).catch(() =>
        // A memo this client cannot open (sealed with keys it does not hold): listed without it.
        // Not a spread: a field at its default (a running run's history length) lives on the
        // message's prototype, and a spread would drop it.
        executionInfoFromRaw(withoutMemo(raw), loadedDataConverter, raw, namespace),
      ),
    ),
  );
  const token = response.nextPageToken;
  return {
    items: items as WorkflowExecutionInfo[],
    nextCursor: token && token.length > 0 ? Buffer.from(token).toString('base64url') : undefined,
  };
}

/** The listed run as it is, but for its memo. */
function withoutMemo<T extends { memo?: unknown }>(raw: T): T {
  return Object.assign(Object.create(raw) as T, { memo: null });
}

/** A swarm or session in a list. */
export interface ListEntry {
  id: string;
  status: string;
  /** A session's name. */
  name?: string;
  /** A swarm's strategy and task. */
  strategy?: string;
  task?: string;
  workspace?: string;
  owner?: string;
  startedAt: string;
  closedAt?: string;
}

export interface ListFilter {
  workspaces?: string[];
  limit?: number;
  cursor?: string;
}

/** Swarms or sessions (`query` picks which; `prefix` is their workflow-id prefix), newest first. */
export async function listEntries(
  client: Client,
  query: string,
  prefix: string,
  filter: ListFilter,
): Promise<Page<ListEntry>> {
  const clauses = [query];
  if (filter.workspaces) clauses.push(inClause(OrchestraWorkspace.name, filter.workspaces));
  const page = await listPage(client, clauses.join(' AND '), filter.limit ?? 50, filter.cursor);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((wf) => ({
      id: wf.workflowId.slice(prefix.length),
      ...memoStrings(wf.memo, ['name', 'strategy', 'task']),
      status: wf.typedSearchAttributes.get(OrchestraStatus) ?? wf.status.name.toLowerCase(),
      workspace: wf.typedSearchAttributes.get(OrchestraWorkspace),
      owner: wf.typedSearchAttributes.get(OrchestraOwner),
      startedAt: wf.startTime.toISOString(),
      closedAt: wf.closeTime?.toISOString(),
    })),
  };
}

/** The named fields of a listed run's memo that are strings (a sealed or foreign memo has none). */
export function memoStrings<K extends string>(
  memo: Record<string, unknown> | undefined,
  keys: readonly K[],
): Partial<Record<K, string>> {
  return Object.fromEntries(
    keys.filter((k) => typeof memo?.[k] === 'string').map((k) => [k, memo![k] as string]),
  ) as Partial<Record<K, string>>;
}
