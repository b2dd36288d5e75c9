"""Data access: the engine, the schema, every SQL query, demo data and import."""
