// What `npm start`'s admin socket (server.ts) and the CLI (client.ts) agree on.
import path from 'node:path'

/** A Unix socket in DATA_DIR, mode 0600. */
const ADMIN_SOCKET = 'admin.sock'

export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, ADMIN_SOCKET)
}

/** What the CLI needs to know about the running `npm start`. */
export interface RuntimeInfo {
  temporalAddress: string
  namespace: string
  webhookUrl: string
  webUiUrl: string | undefined
}
