"""Console sessions end on logout: a cookie copied before logging out no longer opens anything."""

from bot.console.users import create_user

from .test_views import PASSWORD, csrf_of, log_in


async def test_a_replayed_cookie_is_refused_after_logout(setup, sessions):
    _, lawyer, thief = setup
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    queue = await lawyer.get("/console")
    assert queue.status_code == 200 and "/console/login" not in str(queue.url)
    copied = dict(lawyer.cookies)

    await lawyer.post("/console/logout", data={"csrf": csrf_of(queue.text)})

    thief.cookies.update(copied)
    replayed = await thief.get("/console", follow_redirects=False)
    assert replayed.status_code == 303 and replayed.headers["location"] == "/console/login"


async def test_logging_in_again_after_logout_works(setup, sessions):
    _, lawyer, _ = setup
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    queue = await lawyer.get("/console")
    await lawyer.post("/console/logout", data={"csrf": csrf_of(queue.text)})
    await log_in(lawyer)
    again = await lawyer.get("/console", follow_redirects=False)
    assert again.status_code == 200
