// The Web Crypto signature module under Deno: the same vectors and cases as under Node, with the
// same answers as the Node module, word for word.
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { verifySignature } from '../../src/http/signature'
import { loadVectors, verificationCases, type VerificationCase } from '../fixtures/signature-cases'
import { runDenoScript } from '../helpers/deno'

function nodeAnswer(c: VerificationCase): string {
  try {
    return verifySignature(c.secrets, Buffer.from(c.body), c.signature)
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`
  }
}

const cases = verificationCases()
const vectors = loadVectors()
let answers: { verified: Record<string, string>; signed: Record<string, string> }

beforeAll(async () => {
  const input = path.join(mkdtempSync(path.join(os.tmpdir(), 'signature-web-')), 'cases.json')
  writeFileSync(input, JSON.stringify({ cases, vectors }))
  answers = JSON.parse(await runDenoScript('test/deno/signature-web-runner.ts', { args: [input] }))
})

describe('signature verification with Web Crypto under Deno', () => {
  it.each(vectors.map((v) => [v.why, v] as const))('signs the OpenSSL vector: %s', (why, v) => {
    expect(answers.signed[why]).toBe(v.x_signature)
  })

  it.each(cases.map((c) => [c.expected, c.name, c] as const))(
    'answers %s for %s, as the Node module does',
    (expected, name, c) => {
      const answer = answers.verified[name]
      expect(answer).toBe(nodeAnswer(c))
      if (expected === 'rejected') expect(answer).toMatch(/^WebhookVerificationError: /)
      else expect(answer).toBe(expected)
    },
  )
})
