// Run by Deno (test/deno/signature-web.test.ts): applies src/http/signature-web.ts to the cases and
// vectors in the JSON file named on the command line, and prints what it answered, as JSON.
import { readFileSync } from 'node:fs'
import { signPayload, verifySignature } from '../../src/http/signature-web'
import type { SignatureVector, VerificationCase } from '../fixtures/signature-cases'

const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  cases: VerificationCase[]
  vectors: SignatureVector[]
}
const utf8 = new TextEncoder()

async function answer(c: VerificationCase): Promise<string> {
  try {
    return await verifySignature(c.secrets, utf8.encode(c.body), c.signature)
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`
  }
}

async function main(): Promise<void> {
  const verified = await Promise.all(input.cases.map(async (c) => [c.name, await answer(c)]))
  const signed = await Promise.all(
    input.vectors.map(async (v) => [v.why, await signPayload(v.secret, utf8.encode(v.body_utf8))]),
  )
  process.stdout.write(
    JSON.stringify({ verified: Object.fromEntries(verified), signed: Object.fromEntries(signed) }),
  )
}

void main()
