"""Serving the published snapshot to other tools: PostgreSQL, Parquet, SQLAlchemy URLs."""
