"""Language detection takes any string a migrant can send, with any hint, without an exception."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answers import Answers
from bot.helpline import detection_samples
from bot.language import LanguageDetector
from bot.profile import load_profile


@pytest.fixture(scope="module")
def detector(paths):
    profile = load_profile(paths.profile)
    samples = detection_samples(paths, Answers.load(paths.locales))
    return LanguageDetector(samples, profile.languages, profile.closest_served)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(alphabet=st.characters(codec=None), max_size=200),
    prior=st.none() | st.sampled_from(["en", "ru", "ky", "uz", "vi", "ko", "xx", ""]),
    hint=st.none() | st.text(max_size=12),
)
def test_any_text_is_detected_without_an_exception(detector, text, prior, hint):
    detection = detector.detect(text, prior, hint)
    assert isinstance(detection.language, str)
