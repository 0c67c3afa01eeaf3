// Temporal's OpenTelemetry interceptors. They are always installed: while tracing is off the
// global tracer is OpenTelemetry's no-op and workflow spans go to a no-op processor.
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry'
import { Resource } from '@opentelemetry/resources'
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker'
import type { WorkflowClientInterceptor } from '@temporalio/client'
import type { Tracing } from './tracing'

/** Workflow interceptor modules: they must be in every workflow bundle (tests build one). */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
]

/** Starts (and describes, signals…) workflows inside the caller's span. */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  return [new OpenTelemetryWorkflowClientInterceptor()]
}

export const tracingActivityInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
})

/** Workflow code cannot export spans itself: it hands them to the worker through this sink. */
export function tracingSinks(tracing?: Tracing): WorkerOptions['sinks'] {
  return {
    exporter: tracing
      ? makeWorkflowExporter(tracing.spanProcessor, tracing.resource)
      : makeWorkflowExporter(new NoopSpanProcessor(), new Resource({})),
  }
}
