/**
 * Registers Orchestra's search attributes on a server that lacks them (a production
 * cluster; the dev server gets them at start). Safe to run again: only missing ones are added.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED: Record<(typeof SEARCH_ATTRIBUTES)[number]['type'], temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * The server's `system.namespaceCacheRefreshInterval` (its default). Each of its services checks
 * an agent's search attributes against a namespace cache of its own, refreshed this often (the
 * dev server too: src/temporal/dev-server.ts).
 */
const NAMESPACE_CACHE_REFRESH_MS = 2_000;

/** The attributes it added, once every service of the server can have seen them. */
export async function registerSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([
    ...Object.keys(existing.customAttributes ?? {}),
    ...Object.keys(existing.systemAttributes ?? {}),
  ]);
  const missing = SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED[key.type]])),
  });
  // The frontend knows them now; a history service could still refuse an agent's update of them.
  await sleep(NAMESPACE_CACHE_REFRESH_MS);
  return missing.map((key) => key.name);
}
