// The `scompler-webhooks` command line: commands, options and help (commander).
import { Command, CommanderError, Option } from 'commander'
import type { Client } from '@temporalio/client'
import type { Env } from '../config'
import { oneLine } from '../shared/lifecycle'
import { CliError, EXIT } from './cli-error'
import { connectCliClient, createContext, type CliContext } from './context'
import { listEvents, showEvent, type ListOptions } from './events'
import { replayEvent, replayFailed, type ReplayFailedOptions } from './replay'
import { handOver, handOverFilter, type HandOverOptions } from './hand-over'
import {
  addCommand,
  listCommand,
  rejectTokenCommand,
  removeCommand,
  type AddOptions,
} from './installations'
import { send, type SendOptions } from './send'
import { setupCommand } from './setup'
import { listUnhandled, type UnhandledOptions } from './unhandled'
import { openStoreAccess, type StoreAccess } from './store-access'

const collect = (value: string, previous: string[]) => [...previous, value]
const positiveInt = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new CliError('--limit must be a positive integer', EXIT.usage)
  return Number(value)
}

/** Runs the command line; resolves to the exit code. */
export async function runCli(argv: string[], env: Env): Promise<number> {
  const program = createProgram(env)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return EXIT.ok
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    process.stderr.write(`scompler-webhooks: ${oneLine(error)}\n`)
    return error instanceof CliError ? error.exitCode : EXIT.failed
  }
}

function createProgram(env: Env): Command {
  const program = new Command('scompler-webhooks')
    .description('Set up Temporal, send test events, manage installations and inspect event runs.')
    .option('--json', 'print JSON for scripting')
    .exitOverride()
    .showHelpAfterError()
  const context = (command: Command) =>
    createContext(env, Boolean(command.optsWithGlobals<{ json?: boolean }>().json))

  program
    .command('send')
    .description('sign a valid test event and POST it to the webhook endpoint')
    .argument('<event>', 'event type, e.g. app.uninstalled or posting.sent_to_publish')
    .option('--url <url>', 'webhook URL (default: the running npm start, else localhost:PORT)')
    .option('--account-id <id>', 'account_id of the event', '12345')
    .option('--data <key=value>', 'set a data field (repeatable; JSON values parse)', collect, [])
    .option('--data-file <file>', 'a JSON object merged into data')
    .option('--id <uuid>', 'event id (to resend an earlier event)')
    .action(async (event: string, options: SendOptions, command: Command) =>
      send(await context(command), event, options),
    )

  program
    .command('setup')
    .description("register the search attributes and the namespace's retention (idempotent)")
    .action(async (_options, command: Command) => {
      const ctx = await context(command)
      await withTemporal(ctx, (client) => setupCommand(ctx, client))
    })

  const installations = program.command('installations').description("the store's installations")
  installations
    .command('add')
    .description('add an installation (or replace the token of an active one)')
    .requiredOption('--account-id <id>', 'the account it belongs to')
    .option('--installation-id <uuid>', 'its id (default: a new UUID)')
    .addOption(
      new Option('--token <token>', 'its access token (default: a test token)').env(
        'SCOMPLER_ACCESS_TOKEN',
      ),
    )
    .action(async (options: AddOptions, command: Command) =>
      withStore(await context(command), (ctx, store) => addCommand(ctx, store, options)),
    )
  installations
    .command('list')
    .description('list installations, newest first')
    .option('--account-id <id>', "only this account's")
    .action(async (options: { accountId?: string }, command: Command) =>
      withStore(await context(command), (ctx, store) => listCommand(ctx, store, options.accountId)),
    )
  installations
    .command('remove')
    .description('uninstall: remove the token; the row stays so it cannot be added back')
    .argument('<installation-id>')
    .action(async (id: string, _options, command: Command) =>
      withStore(await context(command), (ctx, store) => removeCommand(ctx, store, id)),
    )

  installations
    .command('reject-token')
    .description("Scompler refused the installation's token: drop it until a new one is added")
    .argument('<installation-id>')
    .action(async (id: string, _options, command: Command) =>
      withStore(await context(command), (ctx, store) => rejectTokenCommand(ctx, store, id)),
    )

  const events = program.command('events').description('event runs, from Temporal and the ledger')
  events
    .command('show')
    .description("status, result or failure, and attempts of an event's latest run")
    .argument('<event-id>')
    .action(async (id: string, _options, command: Command) =>
      withStore(await context(command), (ctx, store) =>
        withTemporal(ctx, (client) => showEvent(ctx, client, store, id)),
      ),
    )
  events
    .command('list')
    .description('recent events (Temporal visibility)')
    .option('--failed', 'only failed, terminated or timed-out runs')
    .option('--account-id <id>', "only this account's")
    .option('--event <type>', 'only this event type')
    .option('--limit <n>', 'at most this many', positiveInt, 20)
    .action(async (options: ListOptions, command: Command) => {
      const ctx = await context(command)
      await withTemporal(ctx, (client) => listEvents(ctx, client, options))
    })
  events
    .command('unhandled')
    .description('recorded events of types with no workflow or handler, newest first')
    .option('--event <type>', 'only this event type')
    .option('--account-id <id>', "only this account's")
    .option('--since <when>', 'only those recorded since: an ISO date, or 24h, 7d')
    .option('--limit <n>', 'at most this many', positiveInt, 20)
    .action(async (options: UnhandledOptions, command: Command) =>
      withStore(await context(command), (ctx, store) => listUnhandled(ctx, store, options)),
    )
  events
    .command('replay')
    .description('run a failed or terminated event again, same id, same recorded input')
    .argument('<event-id>')
    .action(async (id: string, _options, command: Command) => {
      const ctx = await context(command)
      await withTemporal(ctx, (client) => replayEvent(ctx, client, id))
    })
  events
    .command('replay-failed')
    .description('run again every event whose latest run failed, was terminated or timed out')
    .option('--account-id <id>', "only this account's")
    .option('--event <type>', 'only this event type')
    .option('--since <when>', 'only runs started since: an ISO date, or 24h, 7d')
    .option('--limit <n>', 'at most this many', positiveInt, 100)
    .action(async (options: ReplayFailedOptions, command: Command) => {
      const ctx = await context(command)
      await withTemporal(ctx, (client) => replayFailed(ctx, client, options))
    })
  events
    .command('hand-over')
    .description('hand events recorded with no handler to the handler registered since')
    .requiredOption('--event <type>', 'the event type')
    .option('--since <when>', 'only events recorded since: an ISO date, or 24h, 7d')
    .option('--limit <n>', 'at most this many', positiveInt, 100)
    .action(async (options: HandOverOptions, command: Command) => {
      const ctx = await context(command)
      const filter = handOverFilter(options)
      await withTemporal(ctx, (client) => handOver(ctx, client, filter))
    })
  return program
}

async function withStore(
  context: CliContext,
  fn: (context: CliContext, store: StoreAccess) => Promise<void>,
): Promise<void> {
  const store = await openStoreAccess(context.config)
  try {
    await fn(context, store)
  } finally {
    await store.close()
  }
}

async function withTemporal(context: CliContext, fn: (client: Client) => Promise<void>) {
  const client = await connectCliClient(context)
  try {
    await fn(client)
  } finally {
    await client.connection.close()
  }
}
