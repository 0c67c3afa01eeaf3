#!/bin/sh
# PostgreSQL's init script (compose `postgres`, /docker-entrypoint-initdb.d): least-privilege roles.
#  - The app's role and database from the `database_url` secret (the worker's DATABASE_URL_FILE,
#    postgres://USER:PASSWORD@HOST[:PORT]/DATABASE): a login role that is not a superuser, cannot
#    create databases or roles, owns its database and nothing else.
#  - Temporal's role `temporal` (password TEMPORAL_DB_PASSWORD), owner of `temporal` and
#    `temporal_visibility` (temporal-schema then creates the schemas in them as that role).
# Each database accepts connections only from its owner (and superusers). Idempotent: run it again
# by hand to upgrade an existing volume or to change a password (docs/production.md).
set -eu
url_file="${DATABASE_URL_SECRET:-/run/secrets/database_url}"
url="$(tr -d '\r\n' <"$url_file")"
rest="${url#*://}"
userinfo="${rest%%@*}"
app_user="${userinfo%%:*}"
app_password="${userinfo#*:}"
path="${rest#*@}"
path="${path#*/}"
app_db="${path%%\?*}"
case "$url" in postgres://*@*/* | postgresql://*@*/*) ;; *) app_user= ;; esac
if [ -z "$app_user" ] || [ "$app_password" = "$userinfo" ] || [ -z "$app_password" ] || [ -z "$app_db" ]; then
  echo "10-roles.sh: $url_file must hold postgres://USER:PASSWORD@postgres:5432/DATABASE" >&2
  exit 1
fi
case "$app_user$app_password$app_db" in *[!A-Za-z0-9_.-]*)
  echo "10-roles.sh: the user, password and database in $url_file must be URL-safe ([A-Za-z0-9_.-])" >&2
  exit 1
  ;;
esac
: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD is required (the temporal role)}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v app_user="$app_user" -v app_password="$app_password" -v app_db="$app_db" \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'app_user')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user') \gexec
ALTER ROLE :"app_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'app_password';
SELECT 'CREATE ROLE temporal LOGIN'
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal') \gexec
ALTER ROLE temporal LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'temporal_password';

SELECT format('CREATE DATABASE %I OWNER %I', :'app_db', :'app_user')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'app_db') \gexec
SELECT format('CREATE DATABASE %I OWNER temporal', name)
  FROM unnest(ARRAY['temporal', 'temporal_visibility']) AS name
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name) \gexec
ALTER DATABASE :"app_db" OWNER TO :"app_user";
ALTER DATABASE temporal OWNER TO temporal;
ALTER DATABASE temporal_visibility OWNER TO temporal;
REVOKE ALL ON DATABASE :"app_db", temporal, temporal_visibility FROM PUBLIC;
SQL

# A volume from before this script: the app's tables were created by postgres; hand them over.
psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" --dbname "$app_db" \
  -v app_user="$app_user" <<'SQL'
SELECT format('ALTER %s %I.%I OWNER TO %I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END,
              n.nspname, c.relname, :'app_user')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v')
    AND pg_get_userbyid(c.relowner) <> :'app_user'
    AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend d
             WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))) \gexec
SQL
echo "10-roles.sh: roles $app_user (database $app_db) and temporal (temporal, temporal_visibility) ready"
