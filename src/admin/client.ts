// The CLI's side of `npm start`'s admin socket (src/admin/server.ts).
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { adminSocketPath, type RuntimeInfo } from './protocol'

export interface AdminClient {
  call<T>(
    method: string,
    pathAndQuery: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>
}

export function adminClient(dataDir: string): AdminClient {
  const socketPath = adminSocketPath(dataDir)
  return {
    call: (method, pathAndQuery, body) =>
      new Promise((resolve, reject) => {
        const req = request({ socketPath, method, path: pathAndQuery, timeout: 10_000 }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => {
            try {
              const text = Buffer.concat(chunks).toString('utf8')
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as never })
            } catch {
              reject(new Error('the admin socket answered something other than JSON'))
            }
          })
        })
        req.on('timeout', () => req.destroy(new Error('the admin socket did not answer')))
        req.on('error', reject)
        req.end(body === undefined ? undefined : JSON.stringify(body))
      }),
  }
}

/** The running `npm start`'s addresses, or undefined when none answers on DATA_DIR's socket. */
export async function readRuntimeInfo(dataDir: string): Promise<RuntimeInfo | undefined> {
  if (!existsSync(adminSocketPath(dataDir))) return undefined
  try {
    const { status, body } = await adminClient(dataDir).call<RuntimeInfo>('GET', '/info')
    return status === 200 ? body : undefined
  } catch {
    return undefined
  }
}
