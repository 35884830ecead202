/**
 * One page of a visibility query, with the server's own page token as an opaque cursor.
 * The client's `list()` walks every page and hides the token; an API needs pages.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { BadRequestError } from './errors';

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
    (response.executions ?? []).map((raw) => executionInfoFromRaw(raw, loadedDataConverter, raw, namespace)),
  );
  const token = response.nextPageToken;
  return {
    items: items as WorkflowExecutionInfo[],
    nextCursor: token && token.length > 0 ? Buffer.from(token).toString('base64url') : undefined,
  };
}
