import { Client, type ConnectionLike } from '@temporalio/client'
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry'

/**
 * A Temporal client. While tracing is on, starts (and describes, signals…) run inside the
 * caller's span; off, no interceptor at all, so no span work for nothing.
 */
export function createClient(
  connection: ConnectionLike,
  namespace: string,
  options: { tracing: boolean },
): Client {
  return new Client({
    connection,
    namespace,
    interceptors: {
      workflow: options.tracing ? [new OpenTelemetryWorkflowClientInterceptor()] : [],
    },
  })
}
