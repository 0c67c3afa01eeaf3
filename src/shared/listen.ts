// The one way a process listens: start an HTTP server on a port or a Unix socket, and close it.
import type { Server } from 'node:http'
import { createServer } from 'node:net'

export type ListenTarget = { port: number; host: string } | { path: string }

export interface Listening {
  /** http://host:port, or the socket path. */
  url: string
  /** Stops accepting connections and waits for requests in flight (idle ones are closed now). */
  close(): Promise<void>
}

export async function listen(server: Server, target: ListenTarget): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    const listening = () => {
      server.off('error', reject)
      resolve()
    }
    server.once('error', reject)
    if ('path' in target) server.listen(target.path, listening)
    else server.listen(target.port, target.host, listening)
  })
  return {
    url: 'path' in target ? target.path : `http://${displayHost(target.host)}:${boundPort(server)}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
  }
}

function boundPort(server: Server): number {
  return (server.address() as { port: number }).port
}

/** A wildcard address is reached as localhost. */
function displayHost(host: string): string {
  return ['0.0.0.0', '::', ''].includes(host) ? 'localhost' : host
}

/** `preferred` if it is free, else any free port. */
export async function freePort(host: string, preferred = 0): Promise<number> {
  try {
    return await listenOnce(host, preferred)
  } catch {
    return listenOnce(host, 0)
  }
}

function listenOnce(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, host, () => {
      const { port: bound } = server.address() as { port: number }
      server.close(() => resolve(bound))
    })
  })
}
