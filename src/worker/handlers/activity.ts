// The worker's handler activities, one per registered event type (`handle:<event type>`), and
// the plans the claim records. A handler runs outside any store transaction: the installation is
// read before it starts, and its token decrypted only if the handler asks.
import { ApplicationFailure } from '@temporalio/activity'
import { FAILURE, type EventResult, type HandlerInput, type JsonValue } from '../../domain'
import type { Queryable } from '../../store/database'
import { findHandlerInstallation, type StoredInstallation } from '../../store/handler-installation'
import { TOKEN_UNREADABLE, TokenDecryptionError, type TokenCipher } from '../../store/token-cipher'
import { invokeHandler } from './invoke'
import { registeredHandlers, type HandlerRegistry } from './registry'
import type { HandlerInstallation } from './types'

type HandlerActivity = (input: HandlerInput) => Promise<JsonValue | undefined>

export function createHandlerActivities(
  registry: HandlerRegistry | undefined,
  db: Queryable,
  tokens: TokenCipher,
) {
  const handlers = registeredHandlers(registry)
  const activities: Record<string, HandlerActivity> = {}
  for (const registered of handlers.values()) {
    activities[registered.plan.activity] = async (input) => {
      const stored = await findHandlerInstallation(db, {
        installationId: installationIdOf(input.result),
        accountId: input.event.accountId,
      })
      return invokeHandler(registered, input, stored && withLazyToken(stored, tokens))
    }
  }
  return { activities, plans: (event: string) => handlers.get(event)?.plan }
}

function installationIdOf(result: EventResult): string | undefined {
  const id = result.details?.installationId
  return typeof id === 'string' ? id : undefined
}

/** The token is decrypted on the handler's first call, and never enters history or logs. */
export function withLazyToken(
  { storedToken, ...installation }: StoredInstallation,
  tokens: TokenCipher,
): HandlerInstallation {
  let token: Promise<string> | undefined
  return {
    ...installation,
    accessToken: () => (token ??= decrypt(storedToken, installation.installationId, tokens)),
  }
}

async function decrypt(
  stored: string | null,
  installationId: string,
  tokens: TokenCipher,
): Promise<string> {
  if (stored === null) {
    throw ApplicationFailure.create({
      message: `Installation ${installationId} has no access token (uninstalled, or rejected)`,
      type: FAILURE.tokenUnavailable,
      nonRetryable: true,
    })
  }
  try {
    return tokens.decrypt(stored, installationId)
  } catch (error) {
    if (!(error instanceof TokenDecryptionError)) throw error
    // No retry can fix a key that is not configured or a tampered token.
    throw ApplicationFailure.create({
      message: error.message,
      type: TOKEN_UNREADABLE,
      nonRetryable: true,
    })
  }
}
