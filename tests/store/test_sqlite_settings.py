"""SQLite as the default store: WAL, commits without an fsync each (NORMAL), a busy timeout, and
foreign keys, on every connection."""

from __future__ import annotations

from bot.store.db import make_engine


def test_every_sqlite_connection_gets_wal_normal_sync_a_busy_timeout_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'helpline.db'}")
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 1  # NORMAL
            assert pragma("busy_timeout") == 30_000
            assert pragma("foreign_keys") == 1
    finally:
        engine.dispose()
