// Temporal's OpenTelemetry interceptors. They are always installed: while tracing is off the
// global tracer is OpenTelemetry's no-op and workflow spans go to a no-op processor.
import path from 'node:path'
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry'
import { Resource } from '@opentelemetry/resources'
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker'
import SOURCE_DIR from '../source-dir.cjs'
import type { Tracing } from '../shared/tracing'

/** Workflow interceptor modules: they must be in every workflow bundle (tests build one). */
export const WORKFLOW_INTERCEPTOR_MODULES = [path.join(SOURCE_DIR, '../workflows/interceptors')]

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
