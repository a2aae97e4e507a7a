"""Persistence: SQLAlchemy models, the database engine and the write actions."""
