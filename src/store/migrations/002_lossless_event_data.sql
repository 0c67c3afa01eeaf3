-- "200 means recorded, whatever the data": jsonb refuses JSON that is valid for the sender, such as
-- strings holding \u0000 (SQLSTATE 22P05) or an unpaired surrogate (22P02). The json type keeps
-- the exact text it is given (checked only for JSON syntax), so what was accepted is stored
-- losslessly and parses back to the very same data. Existing rows keep their (jsonb-normalised)
-- text. Note: extracting such a string as text in SQL (data->>'key') still fails; read the whole
-- document and parse it in the application.
ALTER TABLE unhandled_events ALTER COLUMN data TYPE json USING data::json;
