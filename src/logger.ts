import pino, { type Logger } from 'pino'

export type { Logger }

/** JSON lines in production; readable lines for `npm start` on a terminal. */
export function createLogger(options: { level: string; pretty?: boolean; name?: string }): Logger {
  return pino({
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
  })
}
