-- A PostgreSQL login role for the dashboard that can read the reporting tables and nothing else.
--
-- Run once as the database owner (or a superuser), then put the role in the dashboard's URL:
--   psql -v ON_ERROR_STOP=1 -d reform -f scripts/create_readonly_role.sql
--   [database] url = "postgresql+psycopg://reform_reader:<password>@db.example/reform"
--
-- Before running, replace the three names below if yours differ (e.g. with sed):
--   reform_reader   the role the dashboard logs in as
--   reform          the database
--   public          the schema holding the tables (the one `python -m data_access init` used)
-- and CHANGE_ME by a long random password (e.g. `openssl rand -base64 32`). See SECURITY.md for
-- rotating it. The import/refresh jobs keep using the owner role; only they may write.
--
-- The dashboard also opens every session with default_transaction_read_only, but a client can
-- switch that off; these grants are what the server enforces. The REVOKEs from PUBLIC below
-- apply to every role of the database without its own grant: give TEMPORARY or the large-object
-- functions back explicitly to any other role that needs them.

CREATE ROLE reform_reader LOGIN PASSWORD 'CHANGE_ME'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION CONNECTION LIMIT 50;

-- Belt and braces: every transaction of this role starts read-only.
ALTER ROLE reform_reader SET default_transaction_read_only = on;
-- A runaway query from a page must not hold the server: stop it after a minute. This is the
-- role's DEFAULT: PostgreSQL lets any session change statement_timeout (even to 0), so it cannot
-- be forced here; the dashboard also sets it itself on every connection (data_access/engine.py,
-- REFORM_PG_STATEMENT_TIMEOUT), and a session stuck in a transaction is cut after a minute.
ALTER ROLE reform_reader SET statement_timeout = '60s';
ALTER ROLE reform_reader SET idle_in_transaction_session_timeout = '60s';

-- No temporary tables: PUBLIC (every role) holds TEMPORARY on a database by default, and a
-- temporary table can be written even in a read-only transaction. The owner keeps the right.
REVOKE TEMPORARY ON DATABASE reform FROM PUBLIC;
REVOKE TEMPORARY ON DATABASE reform FROM reform_reader;

-- No large objects: creating one is a write that even a read-only transaction allows, and the
-- functions are executable by PUBLIC by default (only superusers and the owner keep them).
REVOKE EXECUTE ON FUNCTION lo_creat(integer), lo_create(oid), lo_from_bytea(oid, bytea),
    lo_import(text), lo_import(text, oid), lo_put(oid, bigint, bytea), lowrite(integer, bytea),
    lo_unlink(oid) FROM PUBLIC;

-- Nobody gets to create objects in the schema by default (PostgreSQL < 15 allowed it).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

GRANT CONNECT ON DATABASE reform TO reform_reader;
GRANT USAGE ON SCHEMA public TO reform_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO reform_reader;
-- Tables created later by `init` (new versions add tables) become readable too. This applies to
-- tables created by the role running this script, so run it as the role that runs `init`.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reform_reader;
