"""What the detector learns from its samples is cached: the same answers, a new key for new content."""

from __future__ import annotations

from bot.language import LanguageDetector

SAMPLES = [
    ("en", "my employer did not pay my salary"),
    ("en", "how do I renew my work permit"),
    ("ru", "работодатель не платит зарплату"),
    ("ru", "как продлить разрешение на работу"),
    ("ky", "иш берүүчү айлыгымды төлөгөн жок"),
    ("ky", "иштөөгө уруксатты кантип узартам"),
]
SERVED = ("en", "ru", "ky")
PROBES = ("не платит зарплату", "айлыгымды төлөбөй жатат", "salary not paid", "rabotodatel ne platit")


def detections(detector: LanguageDetector) -> list[tuple[str, str]]:
    return [(d.language, d.reason) for d in map(detector.detect, PROBES)]


def test_a_cached_detector_answers_as_a_freshly_learned_one(tmp_path):
    fresh = LanguageDetector(SAMPLES, SERVED)
    first = LanguageDetector(SAMPLES, SERVED, cache=tmp_path / "cache")
    [written] = (tmp_path / "cache").glob("language-*.json")
    second = LanguageDetector(SAMPLES, SERVED, cache=tmp_path / "cache")
    assert detections(first) == detections(second) == detections(fresh)
    assert second._lexicon == fresh._lexicon and second._words_per_language == fresh._words_per_language
    assert second._variants == fresh._variants
    assert list((tmp_path / "cache").glob("language-*.json")) == [written]  # read, not learned again


def test_changed_samples_are_learned_again_and_replace_the_old_entry(tmp_path):
    LanguageDetector(SAMPLES, SERVED, cache=tmp_path)
    [before] = tmp_path.glob("language-*.json")
    changed = [*SAMPLES, ("ky", "паспортумду жоготуп алдым")]
    detector = LanguageDetector(changed, SERVED, cache=tmp_path)
    [after] = tmp_path.glob("language-*.json")
    assert after != before
    assert detector._lexicon["паспортумду"]["ky"] == 1  # the new sample's word was learned


def test_a_damaged_cache_file_is_learned_again(tmp_path):
    LanguageDetector(SAMPLES, SERVED, cache=tmp_path)
    [entry] = tmp_path.glob("language-*.json")
    entry.write_text('{"profiles": ', encoding="utf-8")
    detector = LanguageDetector(SAMPLES, SERVED, cache=tmp_path)
    assert detections(detector) == detections(LanguageDetector(SAMPLES, SERVED))
    assert entry.read_text(encoding="utf-8").startswith('{"profiles": {')
