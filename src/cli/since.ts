import { parseDuration } from '../config'
import { CliError, EXIT } from './cli-error'

/** `--since`: an ISO date, or a duration back from now in the duration variables' notation. */
export function sinceDate(since: string): Date {
  const back = parseDuration(since)
  const date = /^\d{4}-\d\d-\d\d/.test(since)
    ? new Date(since)
    : new Date(back === undefined ? NaN : Date.now() - back)
  if (Number.isNaN(date.getTime())) {
    throw new CliError('--since must be an ISO date or a duration such as 24h or 7d', EXIT.usage)
  }
  return date
}
