import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow'
import type { Activities } from '../activities'
import {
  FAILURE,
  type EventResult,
  type HandlerInput,
  type HandlerPlan,
  type JsonValue,
  type ScomplerEvent,
} from '../src/domain'
import type { Claim } from './claim'

type HandlerActivities = Record<string, (input: HandlerInput) => Promise<JsonValue | undefined>>
type Claimed = Exclude<Claim, { duplicate: EventResult }>

/** The store step's input: `handled` when a handler will run after it (see completeOnce). */
export function stepInput(event: ScomplerEvent, claim: Claimed) {
  return { event, runId: claim.runId, ...(claim.handler && { handled: true }) }
}

/**
 * Runs the claim's handler after a completed store step, then completes the event with what the
 * handler returned. Skipped and duplicate events, and a result that names its handler already (a
 * run reset past a completion), are returned as they are: without a handler, no command at all.
 */
export async function afterStep(
  completeHandledEvent: Activities['completeHandledEvent'],
  event: ScomplerEvent,
  claim: Claimed,
  result: EventResult,
): Promise<EventResult> {
  const plan = claim.handler
  if (plan === undefined || result.outcome !== 'completed' || result.handler) return result
  const value = await runHandler(plan, { event, result })
  const handler = { activity: plan.activity, ...(value !== undefined && { result: value }) }
  const { runId, ledgerId } = claim
  const complete = { event, runId, ...(ledgerId && { ledgerId }), result: { ...result, handler } }
  return completeHandledEvent(complete)
}

async function runHandler(plan: HandlerPlan, input: HandlerInput) {
  const handle = proxyActivities<HandlerActivities>(plan.options as ActivityOptions)[plan.activity]
  try {
    return await handle!(input)
  } catch (error) {
    // HandlerFailure: the run fails at once with the handler's message, replayable after a fix.
    if (
      error instanceof ActivityFailure &&
      error.cause instanceof ApplicationFailure &&
      error.cause.type === FAILURE.handlerFailure
    ) {
      throw ApplicationFailure.create({
        message: error.cause.message,
        type: FAILURE.handlerFailure,
        nonRetryable: true,
        cause: error, // the activity and its attempt, in the Web UI
      })
    }
    throw error
  }
}
