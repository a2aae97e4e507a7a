"""Which NLU model a Rasa container serves from a models folder, printed as a path.

In order: the file named by the first argument after the folder (the image's build argument MODEL);
else the published one, named in published.json (written by `helpline train`); else the only
*.tar.gz in the folder. Several models and none published is an error, not a guess. Used at build
time to pick the model to copy into the image, and at start to pick the model to serve (which, on a
shared models volume, is the published one).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def choose(models: Path, named: str = "") -> Path:
    if named:
        chosen = models / Path(named).name
    elif (models / "published.json").is_file():
        chosen = models / json.loads((models / "published.json").read_text(encoding="utf-8"))["model"]
    else:
        found = sorted(models.glob("*.tar.gz"))
        if len(found) != 1:
            raise SystemExit(
                f"{models}: {len(found)} models and none published; run `make model`, or name one with MODEL"
            )
        chosen = found[0]
    if not chosen.is_file():
        raise SystemExit(f"{chosen}: no such model; run `make model` before building the Rasa image")
    return chosen


if __name__ == "__main__":
    print(choose(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else ""))
