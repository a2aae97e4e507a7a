"""Where the project's content, models and state live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class MissingRuntime(RuntimeError):
    """The Rasa environment nlu/.venv is not installed."""


@dataclass(frozen=True)
class Paths:
    root: Path

    @classmethod
    def default(cls) -> Paths:
        return cls(Path(os.environ.get("HELPLINE_HOME") or Path(__file__).resolve().parents[1]))

    @property
    def intents(self) -> Path:
        return self.root / "data" / "intents"

    @property
    def heldout(self) -> Path:
        return self.root / "data" / "test"

    @property
    def safety(self) -> Path:
        return self.root / "data" / "safety"

    @property
    def profile(self) -> Path:
        return Path(os.environ.get("HELPLINE_PROFILE") or self.profiles / "kg-1899.yml")

    @property
    def profiles(self) -> Path:
        return self.root / "data" / "profiles"

    @property
    def places(self) -> Path:
        return self.root / "data" / "places.yml"

    def directory(self, profile_id: str) -> Path:
        """The profile's partner services, in Open Referral HSDS 3.0 JSON."""
        return self.root / "data" / "directory" / profile_id / "services.json"

    def agencies(self, profile_id: str) -> Path:
        """The profile's register of licensed private employment agencies (optional)."""
        return self.root / "data" / "agencies" / f"{profile_id}.yml"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def nlu(self) -> Path:
        return self.root / "nlu"

    @property
    def nlu_config(self) -> Path:
        return self.nlu / "config.yml"

    @property
    def nlu_requirements(self) -> Path:
        return self.nlu / "requirements.txt"

    @property
    def models(self) -> Path:
        return self.nlu / "models"

    @property
    def state(self) -> Path:
        return self.root / "var"

    def rasa_executable(self) -> Path:
        rasa = self.nlu / ".venv" / "bin" / "rasa"
        if not rasa.exists():
            raise MissingRuntime(
                f"Rasa is not installed in {rasa.parent.parent}. Run 'make setup' "
                "(it needs Python 3.10: 'pyenv install 3.10.13' or the python3.10 package)."
            )
        return rasa
