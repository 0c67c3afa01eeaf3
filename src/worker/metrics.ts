// The worker's own metrics: activity outcomes and durations by activity name. Names come from
// createActivities (a fixed set); anything else counts as `other`.
import { CancelledFailure, type Context as ActivityContext } from '@temporalio/activity'
import type { ActivityInterceptorsFactory } from '@temporalio/worker'
import { Counter, Histogram, Registry } from 'prom-client'
import { collectProcessMetrics } from '../shared/process-metrics'

type ActivityOutcome = 'completed' | 'failed_retryable' | 'failed_non_retryable' | 'cancelled'

export interface WorkerMetrics {
  registry: Registry
  activityExecutions: Counter<'activity' | 'outcome'>
  activityDuration: Histogram<'activity'>
}

export function createWorkerMetrics(registry = new Registry()): WorkerMetrics {
  collectProcessMetrics(registry)
  return {
    registry,
    activityExecutions: new Counter({
      name: 'scompler_activity_executions_total',
      help: 'Activity attempts by activity name and outcome',
      labelNames: ['activity', 'outcome'],
      registers: [registry],
    }),
    activityDuration: new Histogram({
      name: 'scompler_activity_duration_seconds',
      help: 'Duration of one activity attempt',
      labelNames: ['activity'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30],
      registers: [registry],
    }),
  }
}

/** Counts and logs each attempt through the activity's own logger (workflow id, attempt). */
export function observeActivities(
  metrics: WorkerMetrics,
  activityNames: ReadonlySet<string>,
): ActivityInterceptorsFactory {
  return (ctx: ActivityContext) => ({
    inbound: {
      async execute(input, next) {
        const type = ctx.info.activityType
        const activity = activityNames.has(type) ? type : 'other'
        const stop = metrics.activityDuration.startTimer({ activity })
        try {
          const result = await next(input)
          metrics.activityExecutions.inc({ activity, outcome: 'completed' })
          ctx.log.info('activity completed', { durationMs: Math.round(stop() * 1000) })
          return result
        } catch (error) {
          const outcome = failureOutcome(error)
          metrics.activityExecutions.inc({ activity, outcome })
          ctx.log.warn('activity failed', {
            durationMs: Math.round(stop() * 1000),
            outcome,
            reason: (error as Error).message,
          })
          throw error
        }
      },
    },
  })
}

function failureOutcome(error: unknown): ActivityOutcome {
  if (error instanceof CancelledFailure) return 'cancelled'
  return (error as { nonRetryable?: boolean }).nonRetryable
    ? 'failed_non_retryable'
    : 'failed_retryable'
}
