-- The app's call to Scompler was refused with an installation's token (markTokenRejected): the
-- token is dropped and the time kept, while the installation stays active (its events are still
-- recorded; work that needs the token fails until a new one is recorded, which clears the mark).
ALTER TABLE installations ADD COLUMN token_rejected_at timestamptz;
ALTER TABLE installations DROP CONSTRAINT installations_check;
ALTER TABLE installations ADD CONSTRAINT installations_token_check
  CHECK (status = 'uninstalled' OR access_token IS NOT NULL OR token_rejected_at IS NOT NULL);
