"""Benchmark: language identification on lingua-py's public short-text test data, ours against
lingua (high accuracy), py3langid, pycld2 and plain langdetect, on the same lines in one run.

    .venv/bin/python -m bench.language_id [--lines-per-file 1000] [--data ../shared/data/lingua-testdata]

For each served language in the data: the share of lines detected exactly, per kind (single words,
word pairs, sentences). For every other language: the share of lines kept apart, i.e. not taken for
a served language. Also the median time per message, and how many lines raised. The served set is
the profile's. Writes bench/results/language_id.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from bot.helpline import Content
from bot.paths import Paths

RESULTS = Path(__file__).with_name("results")
KINDS = ("single-words", "word-pairs", "sentences")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lingua-testdata"


def _ours(content: Content) -> Callable[[str], str | None]:
    detector = content.detector

    def detect(text: str) -> str | None:
        return detector.detect(text).detected

    return detect


def _lingua() -> Callable[[str], str | None]:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def detect(text: str) -> str | None:
        language = detector.detect_language_of(text)
        return language.iso_code_639_1.name.lower() if language else None

    return detect


def _py3langid() -> Callable[[str], str | None]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    return lambda text: identifier.classify(text)[0]


def _pycld2() -> Callable[[str], str | None]:
    import pycld2

    def detect(text: str) -> str | None:
        reliable, _bytes, details = pycld2.detect(text)
        code = details[0][1]
        return None if code == "un" else code.split("-")[0]

    return detect


def _langdetect() -> Callable[[str], str | None]:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def run(text: str) -> str | None:
        try:
            return detect(text).split("-")[0]
        except LangDetectException:
            return None

    return run


# lingua's test data names languages by ISO 639-1; so do the detectors, except for these.
ALIASES = {"iw": "he", "jw": "jv", "fil": "tl", "nb": "no", "nn": "no"}


def _load(data: Path, lines_per_file: int, seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    items = []
    for kind in KINDS:
        for path in sorted((data / kind).glob("*.txt")):
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            if lines_per_file < len(lines):
                lines = rng.sample(lines, lines_per_file)
            items += [(kind, path.stem, line) for line in lines]
    return items


def evaluate(detect: Callable[[str], str | None], items, served: set[str]) -> dict:
    served_hits: dict[str, list[bool]] = defaultdict(list)
    kept_apart: dict[str, list[bool]] = defaultdict(list)
    per_language: dict[str, list[bool]] = defaultdict(list)
    times, crashes = [], 0
    for kind, language, text in items:
        started = time.perf_counter()
        try:
            guess = detect(text)
        except Exception:  # a crash is a finding of the benchmark, counted and reported
            guess, crashes = None, crashes + 1
        times.append(time.perf_counter() - started)
        guess = ALIASES.get(guess, guess)
        truth = ALIASES.get(language, language)
        if truth in served:
            served_hits[kind].append(guess == truth)
            per_language[truth].append(guess == truth)
        else:
            kept_apart[kind].append(guess not in served)
    share = lambda values: round(sum(values) / len(values), 4) if values else None  # noqa: E731
    return {
        "served_exact": {kind: share(served_hits[kind]) for kind in KINDS}
        | {"all": share([x for kind in KINDS for x in served_hits[kind]])},
        "kept_apart": {kind: share(kept_apart[kind]) for kind in KINDS}
        | {"all": share([x for kind in KINDS for x in kept_apart[kind]])},
        "served_exact_per_language": {language: share(hits) for language, hits in sorted(per_language.items())},
        "median_ms": round(statistics.median(times) * 1000, 4),
        "crashes": crashes,
        "lines": len(items),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--lines-per-file", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="comma-separated detectors to run (default: all)")
    args = parser.parse_args()

    content = Content.load(Paths.default())
    served = set(content.profile.languages)
    items = _load(args.data, args.lines_per_file, args.seed)
    detectors = {
        "ours": lambda: _ours(content),
        "lingua (high accuracy)": _lingua,
        "py3langid": _py3langid,
        "pycld2": _pycld2,
        "langdetect": _langdetect,
    }
    chosen = [name for name in detectors if not args.only or name.split(" ")[0] in args.only.split(",")]
    results = {"served": sorted(served), "in_data": sorted({lang for _k, lang, _t in items} & served), "detectors": {}}
    for name in chosen:
        detect = detectors[name]()
        detect("warm up")
        results["detectors"][name] = evaluate(detect, items, served)
        print(f"{name}: done", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "language_id.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(table(results))


def table(results: dict) -> str:
    rows = [
        "| detector | served exact: words / pairs / sentences / all | unserved kept apart: all | median ms | crashes |",
        "|---|---|---|---|---|",
    ]
    for name, r in results["detectors"].items():
        exact = " / ".join(f"{100 * (r['served_exact'][k] or 0):.1f}" for k in (*KINDS, "all"))
        apart = 100 * (r["kept_apart"]["all"] or 0)
        rows.append(f"| {name} | {exact} | {apart:.1f}% | {r['median_ms']} | {r['crashes']} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
