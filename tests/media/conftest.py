from tests.channels.conftest import fake_bot, fake_graph  # noqa: F401  (the platforms' local fakes)
