// The Temporal Web UI that `npm start` serves, in a real headless browser (Debian's chromium):
// filter runs by account, open a delivered event's run, and see its summary and result.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { freePort } from '../../src/shared/listen'
import { delivery, SECRET, uninstallEvent, type WireEvent } from '../helpers/events'
import { runEntryPoint } from '../helpers/process'
import { waitForClose } from '../helpers/temporal'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
// The README's picture is refreshed on request only: a test run leaves the working tree as it was.
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(__dirname, '../../docs/web-ui.png')
  : path.join(os.tmpdir(), 'scompler-webhooks-web-ui.png')
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

async function deliver(url: string, event: WireEvent): Promise<void> {
  const { body, headers } = delivery(event)
  const res = await fetch(url, { method: 'POST', headers, body })
  expect(res.status).toBe(200)
}

function openBrowser(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 900 },
  })
}

/** The UI renders user metadata (markdown) in frames of their own. */
async function frameShowing(page: Page, text: string): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    for (const frame of page.frames()) {
      const shown = await frame
        .locator('body')
        .innerText()
        .catch(() => '')
      if (shown.includes(text)) return
    }
    if (Date.now() > deadline) throw new Error(`no frame of the page shows ${JSON.stringify(text)}`)
    await page.waitForTimeout(250)
  }
}

it('shows a delivered event found by ScomplerAccountId, with its summary and result', async () => {
  const app = runEntryPoint('src/main.ts', {
    SCOMPLER_APP_SECRET: SECRET,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'web-ui-')),
    PORT: String(await freePort('127.0.0.1')),
    ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
  })
  let browser: BrowserContext | undefined
  try {
    const [, webhookUrl] = await app.waitFor(/Webhook URL: (\S+)/, 240_000)
    const [, webUi] = await app.waitFor(/Temporal Web UI: (\S+)/)
    const [, address] = await app.waitFor(/"temporal":"([^"]+)"/)
    const shown = uninstallEvent()
    const other = uninstallEvent()
    await deliver(webhookUrl!, shown)
    await deliver(webhookUrl!, other)
    const client = new Client({ connection: await Connection.connect({ address: address! }) })
    try {
      expect((await waitForClose(client, shown.id)).status.name).toBe('COMPLETED')
      await waitForClose(client, other.id)
    } finally {
      await client.connection.close()
    }

    browser = await openBrowser()
    const page = await browser.newPage()
    const query = encodeURIComponent(`ScomplerAccountId="${shown.account_id}"`)
    await page.goto(`${webUi}/namespaces/default/workflows?query=${query}`)
    const row = page.getByRole('link', { name: shown.id })
    await row.waitFor({ timeout: 30_000 })
    await expect(page.getByText(other.id).count()).resolves.toBe(0)

    await row.click()
    // The run's result, on its first tab.
    await page.getByText('unknown installation (tombstone kept)').first().waitFor()
    // Summary, details and the outcome (current details), rendered by the UI in frames.
    await page.getByRole('tab', { name: 'User Metadata' }).click()
    await frameShowing(page, `app.uninstalled for account ${shown.account_id}`)
    await frameShowing(page, `Event id ${shown.id}`)
    await frameShowing(page, 'skipped\n')
    await page.screenshot({ path: SCREENSHOT, fullPage: false })
  } finally {
    await browser?.close()
    await app.stop('SIGINT')
  }
}, 360_000)
