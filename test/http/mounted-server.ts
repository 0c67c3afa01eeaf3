// Servers for the mounted-webhook tests: a user's own app on a real loopback listener.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { Writable } from 'node:stream'
import { listen } from '../../src/shared/listen'
import { createLogger, type Logger } from '../../src/shared/logger'

export interface Running {
  port: number
  url: string
  close: () => Promise<void>
}

/** Listens on loopback with a plain node:http server, as a user's process does. */
export async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => unknown,
): Promise<Running> {
  const server = createServer((req, res) => {
    void handle(req, res)
  })
  const listening = await listen(server, { port: 0, host: '127.0.0.1' })
  return {
    port: Number(new URL(listening.url).port),
    url: listening.url,
    close: async () => {
      server.closeAllConnections()
      await listening.close()
    },
  }
}

/** A pino logger whose JSON lines the test reads. */
export function capturedLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      done()
    },
  })
  return { logger: createLogger({ level: 'info', destination }), lines }
}
