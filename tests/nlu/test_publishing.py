"""The quality gate and the record of published models."""

import xml.etree.ElementTree as ElementTree

from bot.nlu.evaluation import confusion_svg
from bot.nlu.publishing import (
    baseline,
    gate,
    heldout_hash,
    history,
    publish,
    published,
    published_model,
    rollback,
)
from bot.paths import Paths


def report(accuracy: float, visa: float, greet: float) -> dict:
    return {
        "ky": {
            "accuracy": accuracy,
            "examples": 10,
            "intents": {"visa_extension": visa, "greet": greet},
            "confusions": [["visa_extension", "visa_change", 2]],
        }
    }


def test_the_first_model_is_always_accepted():
    assert gate(report(0.5, 0.5, 0.5), None, 0.02).accepted


def test_a_model_worse_than_the_tolerance_is_refused_naming_the_worse_intents():
    verdict = gate(report(0.70, 0.40, 1.0), report(0.80, 0.90, 0.7), tolerance=0.02)
    assert not verdict.accepted
    assert "ky: 80.0% → 70.0%" in verdict.reasons[0] and "visa_extension 90%→40%" in verdict.reasons[0]
    assert "greet" not in verdict.reasons[0]


def test_a_small_drop_within_the_tolerance_is_accepted():
    assert gate(report(0.79, 0.8, 0.8), report(0.80, 0.8, 0.8), tolerance=0.02).accepted


def test_a_language_missing_from_the_new_results_is_refused():
    assert not gate({}, report(0.8, 0.8, 0.8), tolerance=0.02).accepted


def test_every_served_language_must_be_measured_even_for_the_first_model():
    verdict = gate(report(0.9, 0.9, 0.9), None, 0.02, served=("ky", "tl"))
    assert not verdict.accepted and verdict.reasons == ["tl: served, but no held-out results for the new model"]


def test_a_new_language_must_reach_the_floor_on_its_own():
    published = report(0.9, 0.9, 0.9)
    weak = {**report(0.9, 0.9, 0.9), "tl": {**report(0.6, 0.6, 0.6)["ky"]}}
    strong = {**report(0.9, 0.9, 0.9), "tl": {**report(0.85, 0.9, 0.8)["ky"]}}
    assert not gate(weak, published, 0.02, served=("ky", "tl")).accepted
    assert "tl: 60.0%, below 80%" in gate(weak, published, 0.02, served=("ky", "tl")).reasons[0]
    assert gate(strong, published, 0.02, served=("ky", "tl")).accepted


def test_publish_and_roll_back(tmp_path):
    paths = Paths(tmp_path)
    paths.models.mkdir(parents=True)
    first, second = paths.models / "nlu-a.tar.gz", paths.models / "nlu-b.tar.gz"
    first.write_bytes(b"a")
    second.write_bytes(b"b")
    assert rollback(paths) is None
    publish(paths, first, report(0.8, 0.8, 0.8))
    publish(paths, second, report(0.81, 0.8, 0.8))
    assert published_model(paths) == second and len(history(paths)) == 2
    assert rollback(paths)["model"] == "nlu-a.tar.gz"
    assert published(paths)["model"] == "nlu-a.tar.gz" and published_model(paths) == first
    assert [v["model"] for v in history(paths)] == ["nlu-a.tar.gz"]
    assert rollback(paths) is None  # nothing before the first one


def test_a_publication_names_the_heldout_set_it_was_measured_on(tmp_path):
    paths = Paths(tmp_path)
    paths.models.mkdir(parents=True)
    paths.heldout.mkdir(parents=True)
    (paths.heldout / "ky.yml").write_text("nlu: []\n", encoding="utf-8")
    model = paths.models / "nlu-a.tar.gz"
    model.write_bytes(b"a")
    record = publish(paths, model, report(0.8, 0.8, 0.8))
    assert record["heldout"] == heldout_hash(paths)
    (paths.heldout / "ky.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    - салам\n", encoding="utf-8")
    assert heldout_hash(paths) != record["heldout"]  # train then measures the published model again


def test_the_published_model_is_measured_again_only_when_the_heldout_set_changed(tmp_path):
    paths = Paths(tmp_path)
    paths.models.mkdir(parents=True)
    paths.heldout.mkdir(parents=True)
    (paths.heldout / "ky.yml").write_text("nlu: []\n", encoding="utf-8")
    model = paths.models / "nlu-a.tar.gz"
    model.write_bytes(b"a")
    measured = []

    def measure(path):  # stands for evaluating the model on the Rasa server
        measured.append(path)
        return report(0.6, 0.6, 0.6)

    assert baseline(paths, None, measure) is None
    current = publish(paths, model, report(0.8, 0.8, 0.8))
    assert baseline(paths, current, measure) == report(0.8, 0.8, 0.8) and measured == []
    (paths.heldout / "ky.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    - салам\n", encoding="utf-8")
    assert baseline(paths, current, measure) == report(0.6, 0.6, 0.6) and measured == [model]
    model.unlink()
    assert baseline(paths, current, measure) is None  # nothing left to compare with


def test_the_confusion_picture_is_well_formed_svg():
    svg = confusion_svg(report(0.8, 0.6, 1.0), "ky")
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg") and "visa_extension as visa_change: 2" in svg
