import pino, { type DestinationStream, type Logger } from 'pino'

export type { Logger }

export interface LoggerOptions {
  level: string
  pretty?: boolean
  name?: string
  /** Where JSON lines go (tests capture them); stdout by default. */
  destination?: DestinationStream
}

/** JSON lines in production; readable lines for `npm start` on a terminal. */
export function createLogger(options: LoggerOptions): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level,
    name: options.name,
    // Defence in depth: nothing should log these, and if something does they are hidden.
    redact: {
      paths: ['secret', '*.secret', 'accessToken', '*.accessToken', 'headers["x-signature"]'],
      censor: '[redacted]',
    },
    ...(options.pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  }
  return options.destination ? pino(settings, options.destination) : pino(settings)
}
