/** Connecting to Temporal, with an error a person can act on when the server is not there. */
import { Client, Connection } from '@temporalio/client';
import type { OrchestraConfig } from '../config';

export class ServerUnreachableError extends Error {}

export async function connectClient(
  config: Pick<OrchestraConfig, 'temporalAddress' | 'namespace'>,
): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: '3 seconds' });
  } catch (err) {
    throw new ServerUnreachableError(
      `cannot reach the Temporal server at ${config.temporalAddress} (${(err as Error).message}); ` +
        'start one with `orchestra server`, or set TEMPORAL_ADDRESS',
    );
  }
  return new Client({ connection, namespace: config.namespace });
}

/** True when a Temporal frontend answers at `address`. */
export async function isServerUp(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: '1 second' });
    try {
      await connection.healthService.check({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}
