// The app's own tables, in the same database as the webhook store: the uninstall cleanup that must
// be atomic with removing the token (deleteAccountData) runs in the store's transaction.
import pg from 'pg'
import type { Queryable } from 'scompler-webhooks/store'

// A real app creates these with its own migration tool; the worker creates them at start here.
const APP_TABLES = `
  CREATE TABLE IF NOT EXISTS app_published_postings (
    event_id uuid PRIMARY KEY, account_id text NOT NULL, posting_id text NOT NULL,
    service_id text NOT NULL, published_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS app_comments (
    event_id uuid PRIMARY KEY, account_id text NOT NULL, comment_id text NOT NULL,
    body text NOT NULL);
  CREATE TABLE IF NOT EXISTS app_offboarded_accounts (
    event_id uuid PRIMARY KEY, account_id text NOT NULL, installation_id uuid NOT NULL,
    related_data_deleted boolean NOT NULL, offboarded_at timestamptz NOT NULL DEFAULT now());`

export async function openAppDatabase(databaseUrl: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
  await pool.query(APP_TABLES)
  return pool
}

/**
 * The uninstall's in-transaction hook: the account's own rows go in the transaction that removes
 * its token (only when the event asks for it and no newer installation exists; the store decides).
 * Database work only: it runs under the installation's row lock.
 */
export async function deleteAccountData(
  tx: Queryable,
  { accountId }: { accountId: string },
): Promise<number> {
  const postings = await tx.query(
    'DELETE FROM app_published_postings WHERE account_id = $1 RETURNING 1',
    [accountId],
  )
  const comments = await tx.query('DELETE FROM app_comments WHERE account_id = $1 RETURNING 1', [
    accountId,
  ])
  return postings.rows.length + comments.rows.length
}
