"""The SQLite file holds migrants' messages: its owner alone may read it."""

import stat

from bot.store.db import default_url, make_engine, migrate


def test_the_sqlite_file_and_its_directory_are_private(tmp_path):
    state = tmp_path / "state"
    engine = make_engine(default_url(state))
    migrate(engine)
    engine.dispose()
    assert stat.S_IMODE((state / "helpline.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(state.stat().st_mode) & 0o077 == 0
