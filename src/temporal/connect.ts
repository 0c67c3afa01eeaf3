// The one way to reach Temporal: now, or waiting until it answers (a worker that starts before
// the server), or lazily (the API, which must boot and stay up without Temporal).
import { Connection, type ConnectionOptions } from '@temporalio/client'
import type { TemporalConfig } from '../config'
import type { Logger } from '../shared/logger'
import { retry } from '../shared/retry'

export type TemporalConnectionOptions = TemporalConfig['connection'] &
  Pick<ConnectionOptions, 'connectTimeout'>

export interface Waiting {
  /** Retries with backoff until Temporal answers or `signal` aborts, instead of failing at once. */
  wait?: { signal: AbortSignal; logger: Logger }
}

/** The client's connection, or with `via` another SDK connect (the worker's `NativeConnection`). */
export function connectTemporal<C>(
  options: TemporalConnectionOptions,
  how: Waiting & { via: (options: TemporalConnectionOptions) => Promise<C> },
): Promise<C>
export function connectTemporal(
  options: TemporalConnectionOptions,
  how?: Waiting,
): Promise<Connection>
export async function connectTemporal<C>(
  options: TemporalConnectionOptions,
  { via, wait }: Waiting & { via?: (options: TemporalConnectionOptions) => Promise<C> } = {},
): Promise<C | Connection> {
  const connect = via ?? ((o: TemporalConnectionOptions) => Connection.connect(o))
  if (!wait) return connect(options)
  return retry<C | Connection>(() => connect(options), {
    signal: wait.signal,
    initialDelayMs: 500,
    maxDelayMs: 10_000,
    onRetry: (_error, retryInMs) =>
      wait.logger.warn(
        { address: options.address, retryInMs },
        'Temporal is unreachable; retrying',
      ),
  })
}

/**
 * Connects on first use and reconnects by itself. Without the SDK's gRPC retry interceptor: its
 * retries outlive the caller's deadline and would pile up during an outage (the API retries
 * within START_TIMEOUT_MS instead).
 */
export function lazyConnection(options: TemporalConnectionOptions): Connection {
  return Connection.lazy({ ...options, interceptors: [] })
}
