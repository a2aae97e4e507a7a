"""`helpline directory export|import`: HSDS CSV tables and JSON out and back in, and a broken
import refused with the directory untouched."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.copies import copy_content

HELPLINE = Path(sys.executable).with_name("helpline")


def run(tmp_path, *arguments) -> subprocess.CompletedProcess:
    env = {**os.environ, "HELPLINE_HOME": str(tmp_path), "HELPLINE_PROFILE": ""}
    return subprocess.run(
        [str(HELPLINE), "directory", *arguments], capture_output=True, text=True, env=env, timeout=120
    )


def test_csv_tables_round_trip_through_the_command(paths, tmp_path):
    copy = copy_content(paths, tmp_path / "home")
    original = json.loads(copy.directory("kg-1899").read_text(encoding="utf-8"))
    exported = run(tmp_path / "home", "export", str(tmp_path / "tables"))
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "tables" / "services.csv").exists() and (tmp_path / "tables" / "datapackage.json").exists()
    copy.directory("kg-1899").write_text("[]", encoding="utf-8")
    imported = run(tmp_path / "home", "import", str(tmp_path / "tables"))
    assert imported.returncode == 0, imported.stderr
    assert json.loads(copy.directory("kg-1899").read_text(encoding="utf-8")) == original


def test_json_export_is_the_same_hsds_document(paths, tmp_path):
    copy = copy_content(paths, tmp_path / "home")
    assert run(tmp_path / "home", "export", str(tmp_path / "out.json")).returncode == 0
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == json.loads(
        copy.directory("kg-1899").read_text(encoding="utf-8")
    )


def test_a_broken_table_is_refused_and_the_directory_kept(paths, tmp_path):
    copy = copy_content(paths, tmp_path / "home")
    before = copy.directory("kg-1899").read_bytes()
    assert run(tmp_path / "home", "export", str(tmp_path / "tables")).returncode == 0
    services = tmp_path / "tables" / "services.csv"
    with services.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["status"] = "open for business"
    with services.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    refused = run(tmp_path / "home", "import", str(tmp_path / "tables"))
    assert refused.returncode == 2 and "status" in refused.stderr
    assert copy.directory("kg-1899").read_bytes() == before
