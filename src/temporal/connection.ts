/** Connecting to Temporal, with an error a person can act on when the server is not there. */
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionLike,
  type ConnectionOptions,
} from '@temporalio/client';
import type { OrchestraConfig } from '../config';
import { payloadCodecs } from '../codec/encryption';
import { temporalAuth, type TemporalAuth } from './tls';
import { tracingPlugin } from '../tracing';
import { OrchestraError } from '../domain/errors';

export class ServerUnreachableError extends OrchestraError {
  constructor(message?: string, options?: ErrorOptions) {
    super('unavailable', message, options);
  }
}

/**
 * gRPC's reconnect backoff grows to 120 s by default: a client that saw the server go away
 * for a minute would go on failing for most of a minute after it came back. Bounded here, a
 * long-lived client (the API) is back within about 2 s of the server; a dead server costs a
 * refused TCP connect every 2 s.
 */
export const RECONNECT_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 2000,
};

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * The SDK's retries of a failed call (UNAVAILABLE and the like, with backoff), except one that
 * would start past the call's deadline: the SDK's own sleeps up to 5 s first, and only then
 * finds the deadline passed. A caller with a budget hears of the failure within it.
 */
export function retryWithinDeadline(): Interceptor {
  const retry = defaultGrpcRetryOptions();
  return (options, nextCall) => {
    const deadline = options.deadline === undefined ? Infinity : Number(options.deadline);
    let delay = 0;
    return makeGrpcRetryInterceptor({
      retryableDecider: (attempt, status) => {
        if (!retry.retryableDecider(attempt, status)) return false;
        delay = retry.delayFunction(attempt, status);
        return Date.now() + delay < deadline;
      },
      delayFunction: () => delay,
    })(options, nextCall);
  };
}

export interface ConnectOptions {
  /** Where TLS, API-key, encryption and tracing settings are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** TLS and an API key, when not from `env`. */
  auth?: TemporalAuth;
}

export async function connectClient(
  config: Pick<OrchestraConfig, 'temporalAddress' | 'namespace'>,
  { env = process.env, auth = temporalAuth(env) }: ConnectOptions = {},
): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: config.temporalAddress,
      // TLS and an API key for a cluster or Temporal Cloud (TEMPORAL_TLS_*, TEMPORAL_API_KEY).
      ...auth,
      connectTimeout: '3 seconds',
      channelArgs: RECONNECT_CHANNEL_ARGS,
      interceptors: [retryWithinDeadline()],
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: number; details?: string } }).cause;
    // UNAUTHENTICATED, PERMISSION_DENIED: the server answered, and said no.
    if (cause?.code === 16 || cause?.code === 7)
      throw new ServerUnreachableError(
        `the Temporal server at ${config.temporalAddress} refused this client (${cause.details}); ` +
          'check TEMPORAL_API_KEY and the TEMPORAL_TLS_* settings',
      );
    throw new ServerUnreachableError(
      `cannot reach the Temporal server at ${config.temporalAddress} (${(err as Error).message}); ` +
        'start one with `orchestra server`, or set TEMPORAL_ADDRESS (and TEMPORAL_TLS_* for a TLS server)',
    );
  }
  // Sealed payloads (ORCHESTRA_ENCRYPTION_KEYS) are opened here, as the workers open them.
  const tracing = tracingPlugin(env);
  return new Client({
    connection,
    namespace: config.namespace,
    dataConverter: { payloadCodecs: payloadCodecs(env) },
    plugins: tracing ? [tracing] : [],
  });
}

/**
 * Close a client's connection, and its call-context storage with it. The SDK leaves that
 * AsyncLocalStorage enabled after close, and Node walks every enabled one for each promise the
 * process makes from then on: a program that connects many times (the tests, an embedding
 * service) would slow down a little more with each connection it ever closed.
 */
export async function closeConnection(connection: ConnectionLike): Promise<void> {
  try {
    await connection.close();
  } finally {
    if (connection instanceof Connection) connection.callContextStorage.disable();
  }
}

/** gRPC's connectivity states (grpc-js `ConnectivityState`). */
const TRANSIENT_FAILURE = 3;

/**
 * True when the connection's last attempt to reach the server failed and it waits to try
 * again (the gRPC channel is in TRANSIENT_FAILURE): calls would fail or wait, so a caller with
 * a budget can answer at once. False while connected, connecting or idle, and for a connection
 * whose channel cannot be read.
 */
export function connectionDown(connection: ConnectionLike): boolean {
  // The SDK keeps its gRPC client protected; its channel's state is public grpc-js API.
  const grpcClient = (connection as unknown as { client?: { getChannel?(): unknown } }).client;
  const channel = grpcClient?.getChannel?.() as
    { getConnectivityState?(connect: boolean): number } | undefined;
  return channel?.getConnectivityState?.(false) === TRANSIENT_FAILURE;
}

/** True when a Temporal frontend answers at `address`. */
export async function isServerUp(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: '1 second' });
    try {
      await connection.healthService.check({});
      return true;
    } finally {
      await closeConnection(connection);
    }
  } catch {
    return false;
  }
}
