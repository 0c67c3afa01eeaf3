// The short-lived process behind cli-download.ts: started with a filtered environment and in its
// own process group, it has the Temporal SDK fetch the Temporal CLI into its download cache (the
// folder given as the first argument), then exits. Its only answer is one IPC message.
import type { CliDownloadAnswer } from './cli-download'

const answer = (message: CliDownloadAnswer): Promise<void> =>
  new Promise((resolve) => process.send!(message, () => resolve()))

// Our parent is gone (killed, or it gave up): take down our process group, which holds the dev
// server the SDK may have started.
process.once('disconnect', () => process.kill(-process.pid, 'SIGKILL'))

async function main(downloadDir: string): Promise<void> {
  let testing: typeof import('@temporalio/testing')
  try {
    testing = await import('@temporalio/testing')
  } catch {
    await answer({ error: 'the devDependency @temporalio/testing is not installed (npm ci)' })
    return
  }
  try {
    // The public API has no "download only": createLocal fetches the CLI into downloadDir, starts
    // a throwaway in-memory dev server with it, and teardown stops that server again.
    const environment = await testing.TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download', downloadDir },
        ip: '127.0.0.1',
        log: { format: 'json', level: 'error' },
      },
    })
    await environment.teardown()
    await answer({ ok: true })
  } catch (error) {
    await answer({ error: error instanceof Error ? error.message : String(error) })
  }
}

void main(process.argv[2]!).finally(() => process.exit(0))
