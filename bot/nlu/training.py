"""Training the Rasa model only when its inputs changed.

The model's file name carries a hash of the training data, the pipeline and the Rasa version, so
an unchanged checkout finds its model and starts at once.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
from collections.abc import Iterable
from pathlib import Path

from bot.nlu.augmentation import augment
from bot.paths import Paths
from bot.training_data import read_examples, write_nlu_file

log = logging.getLogger(__name__)


class TrainingError(RuntimeError):
    pass


def input_files(paths: Paths) -> list[Path]:
    code = Path(__file__).parent
    return [
        *sorted(paths.intents.glob("*.yml")),
        paths.nlu_config,
        paths.nlu_requirements,
        *sorted((paths.nlu / "helpline_nlu").glob("*.py")),  # the project's own Rasa components
        code / "augmentation.py",  # the variants it writes are inputs too
    ]


def files_digest(files: Iterable[Path]) -> str:
    """A short hash of the files' names and contents, in the order given."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def inputs_hash(paths: Paths) -> str:
    return files_digest(input_files(paths))


def model_path(paths: Paths) -> Path:
    return paths.models / f"nlu-{inputs_hash(paths)}.tar.gz"


def write_training_data(paths: Paths, folder: Path) -> None:
    """The editors' examples plus their typing variants, one Rasa YAML file per language."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.yml"):
        stale.unlink()
    by_language: dict[str, dict[str, list[str]]] = {}
    for example in augment(read_examples(paths.intents)):
        by_language.setdefault(example.language, {}).setdefault(example.intent, []).append(example.text)
    for language, intents in by_language.items():
        document = {
            "version": "3.1",
            "nlu": [
                {"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
                for intent, texts in intents.items()
            ],
        }
        write_nlu_file(folder / f"{language}.yml", document)


def ensure_model(paths: Paths) -> Path:
    """The trained model for the current inputs, training it first if needed."""
    target = model_path(paths)
    if target.exists():
        return target
    rasa = paths.rasa_executable()
    paths.models.mkdir(parents=True, exist_ok=True)
    training = paths.nlu / "build" / "training"
    write_training_data(paths, training)
    log.info("training the NLU model (inputs changed)")
    command = [
        str(rasa), "train", "nlu",
        "--nlu", str(training),
        "--config", str(paths.nlu_config),
        "--out", str(paths.models),
        "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=paths.nlu, capture_output=True, text=True)
    if result.returncode != 0 or not target.exists():
        raise TrainingError(f"rasa train failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return target
