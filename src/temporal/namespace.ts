/**
 * Creates the namespace Orchestra runs in when the server lacks it: a production server
 * starts with none (the dev server creates `default` itself). Safe to run again.
 */
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
/** gRPC status codes (the client's errors carry them as numbers). */
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;

/** How long a closed agent's history stays readable (and its id stays taken). */
export const RETENTION_DAYS = 7;

/** True when it created the namespace; false when it was there already. */
export async function ensureNamespace(
  connection: Pick<Connection, 'workflowService'>,
  namespace: string,
  retentionDays = RETENTION_DAYS,
): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return false;
  } catch (err) {
    if ((err as { code?: number }).code !== NOT_FOUND) throw err;
  }
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      description: 'Orchestra agents, swarms and sessions',
      workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
    });
  } catch (err) {
    // Another setup created it meanwhile.
    if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
    return false;
  }
  return true;
}
