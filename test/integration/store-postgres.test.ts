// The store on PostgreSQL, in a database of its own on the shared server.
import { createTestDatabase } from '../helpers/database'
import { describeStoreContract } from '../helpers/store-contract'

describeStoreContract('postgres', async () => {
  const test = await createTestDatabase()
  return { db: test.db, close: test.drop }
})
