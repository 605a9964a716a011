#!/bin/sh
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d).
#
# Two login roles, each the owner of one database and nothing else:
#   keystore    the personal-data keys (intake seals tipsters' contacts and the directory
#               import seals entities' names; evaluation opens them for the meeting sheet)
#   readmodels  reporting's read models
#   keycloak    the identity provider's accounts, sessions and keys
# Neither is a superuser, may create roles or databases, or may connect to the other's
# database, so a leaked read-model URL does not unlock personal data, and read-model
# backups never carry the keys. No service is given the superuser's password.
set -eu

: "${KEYSTORE_DB_PASSWORD:?set KEYSTORE_DB_PASSWORD}"
: "${READMODEL_DB_PASSWORD:?set READMODEL_DB_PASSWORD}"
: "${KEYCLOAK_DB_PASSWORD:?set KEYCLOAK_DB_PASSWORD}"
superuser="${POSTGRES_USER:-postgres}"

psql --set ON_ERROR_STOP=1 --username "$superuser" --dbname postgres \
  --set keystore_password="$KEYSTORE_DB_PASSWORD" \
  --set readmodel_password="$READMODEL_DB_PASSWORD" \
  --set keycloak_password="$KEYCLOAK_DB_PASSWORD" <<'SQL'
CREATE ROLE keystore LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'keystore_password';
CREATE ROLE readmodels LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'readmodel_password';
CREATE ROLE keycloak LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'keycloak_password';
CREATE DATABASE keystore OWNER keystore;
CREATE DATABASE readmodels OWNER readmodels;
CREATE DATABASE keycloak OWNER keycloak;
-- By default every role may connect to every database; here only its owner may.
REVOKE ALL ON DATABASE keystore FROM PUBLIC;
REVOKE ALL ON DATABASE readmodels FROM PUBLIC;
REVOKE ALL ON DATABASE keycloak FROM PUBLIC;
REVOKE ALL ON DATABASE postgres FROM PUBLIC;
SQL

# The services create their tables at start, in the public schema of their own database:
# make that schema the owner's alone (PostgreSQL before 15 lets every role create there).
for database in keystore readmodels keycloak; do
  psql --set ON_ERROR_STOP=1 --username "$superuser" --dbname "$database" <<SQL
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO $database;
SQL
done
