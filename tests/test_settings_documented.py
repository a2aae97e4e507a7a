"""Every environment variable the application reads is listed in .env.example and README's table."""

import re

from bot.paths import Paths

READ = re.compile(r"""(?:environ(?:\.get)?\(\s*|environ\[\s*|getenv\(\s*)["']([A-Z][A-Z0-9_]+)["']""")


def variables_read(root) -> set[str]:
    names: set[str] = set()
    for path in (root / "bot").rglob("*.py"):
        names.update(READ.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_scan_finds_the_settings_it_must():
    # a guard on the pattern itself: a scan that finds nothing would make the tests below pass vacuously
    assert {"DATABASE_URL", "RASA_URL", "CONSOLE_SECRET_KEY", "RETENTION_DAYS"} <= variables_read(Paths.default().root)


def test_every_setting_is_in_env_example():
    root = Paths.default().root
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (root / ".env.example").read_text(), re.MULTILINE))
    assert variables_read(root) - listed == set()


def test_every_setting_is_in_the_readme():
    root = Paths.default().root
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert {name for name in variables_read(root) if f"`{name}`" not in readme} == set()
