#!/bin/sh
# One-off (compose `temporal-schema`): creates and migrates Temporal's two databases. Idempotent.
set -eu
for db in "$DBNAME" "$VISIBILITY_DBNAME"; do
  schema=temporal
  [ "$db" = "$VISIBILITY_DBNAME" ] && schema=visibility
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p 5432 -u "$POSTGRES_USER" \
    --pw "$POSTGRES_PWD" --db "$db" create-database || true
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p 5432 -u "$POSTGRES_USER" \
    --pw "$POSTGRES_PWD" --db "$db" setup-schema -v 0.0
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p 5432 -u "$POSTGRES_USER" \
    --pw "$POSTGRES_PWD" --db "$db" update-schema \
    -d "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
