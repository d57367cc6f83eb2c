"""Serving: DuckDB clients, PostgreSQL, Parquet, SQLAlchemy, the report."""
