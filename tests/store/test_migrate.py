"""migrate() at every worker's start: Alembic only when the schema is behind."""

import subprocess
import sys

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.store.db import MIGRATIONS, at_newest_revision, make_engine, migrate, newest_revision


def test_the_newest_revision_is_alembics_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert newest_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_a_database_behind_is_migrated_and_one_at_the_head_is_left_alone(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'schema.db'}")
    assert not at_newest_revision(engine)  # a new database
    migrate(engine)
    assert at_newest_revision(engine)
    with engine.begin() as connection:  # one revision behind
        connection.execute(text("UPDATE alembic_version SET version_num = '0017'"))
        connection.execute(text("DROP INDEX ix_cases_opened_from"))
        connection.execute(text("ALTER TABLE cases DROP COLUMN opened_from"))
    assert not at_newest_revision(engine)
    migrate(engine)
    with engine.connect() as connection:
        assert "opened_from" in {row[1] for row in connection.execute(text("PRAGMA table_info(cases)"))}
    engine.dispose()

    # a worker starting on a database at the head does not even import Alembic
    check = (
        "import sys; from bot.store.db import make_engine, migrate; "
        f"migrate(make_engine('sqlite:///{tmp_path / 'schema.db'}')); "
        "print('alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
