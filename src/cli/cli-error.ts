/** Exit codes of the CLI, documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** The operation failed or was refused (a non-2xx answer, a completed event to replay). */
  failed: 1,
  /** Bad arguments or configuration. */
  usage: 2,
  /** No such event, installation or namespace. */
  notFound: 3,
  /** The webhook endpoint, Temporal or the store could not be reached. */
  unreachable: 4,
} as const

/** A failure the CLI reports as one line on stderr, with its exit code. */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
  }
}
