// Durations in Temporal's notation ('30s', '72h', '3 days'), read one way by the environment, the
// webhook's options and the handlers' options.
import ms from 'ms'

/** The milliseconds of `value`, or NaN when it is not a duration (ms throws on ''). */
export function durationMillis(value: string): number {
  try {
    const millis = ms(value as ms.StringValue)
    return typeof millis === 'number' ? millis : Number.NaN
  } catch {
    return Number.NaN
  }
}
