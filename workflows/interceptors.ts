// Not a workflow: the interceptors every workflow bundle carries (WORKFLOW_BUNDLE_OPTIONS), so a
// trace follows an event into its run and activities. Installed always; while tracing is off the
// worker's sink drops the spans.
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow'
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry'

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
})
