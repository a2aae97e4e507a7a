"""The languages the shipped profile serves, for running a test over every one of them."""

from bot.paths import Paths
from bot.profile import load_profile

SERVED = load_profile(Paths.default().profile).languages
TRANSLATED = tuple(language for language in SERVED if language != "en")
