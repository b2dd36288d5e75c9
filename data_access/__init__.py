"""Data access: configuration, the engine, the schema, the named queries (``queries/``), the
writes (import, remove, refresh, snapshot store), demo data and boundaries. Imports only texts."""
