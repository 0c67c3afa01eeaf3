// The entry points as real processes, each with only the environment a user would give it.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { freePort } from '../../src/shared/listen'
import { delivery, SECRET, uninstallEvent } from '../helpers/events'
import { runEntryPoint } from '../helpers/process'
import { waitForClose } from '../helpers/temporal'

const temporalCli = process.env.TEMPORAL_CLI_PATH
  ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH }
  : {}

async function post(url: string, event = uninstallEvent()) {
  const { body, headers } = delivery(event)
  const res = await fetch(url, { method: 'POST', headers, body })
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, string>,
  }
}

describe('npm start', () => {
  it('serves a signed event to a completed run that the Web UI shows, then stops cleanly on Ctrl-C', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'npm-start-'))
    const port = await freePort('127.0.0.1')
    const app = runEntryPoint('src/main.ts', {
      SCOMPLER_APP_SECRET: SECRET,
      DATA_DIR: dataDir,
      PORT: String(port),
      ...temporalCli,
    })
    try {
      const [, webhookUrl] = await app.waitFor(/Webhook URL: (\S+)/, 120_000)
      const [, webUi] = await app.waitFor(/Temporal Web UI: (\S+)/)
      const [, address] = await app.waitFor(/"temporal":"([^"]+)"/)
      expect(webhookUrl).toBe(`http://localhost:${port}/webhooks/scompler`)

      const event = uninstallEvent()
      const answer = await post(webhookUrl!, event)
      expect(answer.status).toBe(200)
      expect(answer.body.status).toBe('accepted')

      const client = new Client({ connection: await Connection.connect({ address: address! }) })
      try {
        expect((await waitForClose(client, event.id)).status.name).toBe('COMPLETED')
      } finally {
        await client.connection.close()
      }
      // The Web UI's own API, as its pages load it.
      const ui = await fetch(`${webUi}/api/v1/namespaces/default/workflows/${event.id}`)
      expect(ui.status).toBe(200)
      const shown = (await ui.json()) as {
        workflowExecutionInfo?: { status?: string; type?: { name?: string } }
      }
      expect(shown.workflowExecutionInfo).toMatchObject({
        status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
        type: { name: 'appUninstalled' },
      })

      // A second `npm start` on the same data directory stops at the store's lock.
      const second = runEntryPoint('src/main.ts', {
        SCOMPLER_APP_SECRET: SECRET,
        DATA_DIR: dataDir,
        PORT: String(await freePort('127.0.0.1')),
        ...temporalCli,
      })
      expect(await second.exited).toBe(1)
      expect(second.output()).toMatch(/embedded store is already open in process \d+/)
    } finally {
      expect(await app.stop('SIGINT')).toBe(0)
    }
    expect(app.output()).toMatch(/worker drained; stopping/)
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow()
  }, 180_000)
})

describe('npm run start:api', () => {
  it('boots and stays up without Temporal: healthy, not ready, deliveries get 503', async () => {
    const port = await freePort('127.0.0.1')
    const deadTemporal = `127.0.0.1:${await freePort('127.0.0.1')}`
    const api = runEntryPoint('src/api.ts', {
      SCOMPLER_APP_SECRET: SECRET,
      PORT: String(port),
      HOST: '127.0.0.1',
      TEMPORAL_ADDRESS: deadTemporal,
    })
    try {
      await api.waitFor(/API listening/)
      const base = `http://127.0.0.1:${port}`
      expect((await fetch(`${base}/healthz`)).status).toBe(200)
      const ready = await fetch(`${base}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toEqual({ error: 'not_ready', message: 'Temporal is unreachable' })
      const answer = await post(`${base}/webhooks/scompler`)
      expect(answer.status).toBe(503)
      expect(answer.body.error).toBe('temporal_unavailable')
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/)
      expect((await fetch(`${base}/healthz`)).status).toBe(200)
    } finally {
      expect(await api.stop()).toBe(0)
    }
    expect(api.output()).not.toContain(SECRET)
  }, 60_000)

  it('stops at startup with one line naming a missing secret', async () => {
    const api = runEntryPoint('src/api.ts', { PORT: String(await freePort('127.0.0.1')) })
    expect(await api.exited).toBe(1)
    expect(api.output().trim()).toBe(
      'scompler-webhooks api: SCOMPLER_APP_SECRET (or SCOMPLER_APP_SECRET_FILE) is required',
    )
  })
})

describe('npm run start:worker', () => {
  it('stops at startup with one line when DATABASE_URL is missing', async () => {
    const worker = runEntryPoint('src/worker.ts', {})
    expect(await worker.exited).toBe(1)
    expect(worker.output().trim()).toBe(
      'scompler-webhooks worker: DATABASE_URL is required for the worker (the embedded store is only for npm start)',
    )
  })
})
