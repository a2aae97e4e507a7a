import datetime as dt
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from starlette.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
TEMPLATES.env.add_extension("jinja2.ext.i18n")
# English until a page gives its user's catalog (bot.console.language): old-style gettext, so that
# {% trans %} fills in its variables and autoescaping applies to every translated string
TEMPLATES.env.install_null_translations(newstyle=False)

ENGLISH = Locale("en")


def language_name(code: str | None) -> str:
    """'ky' -> 'Kyrgyz': lawyers read names, not codes."""
    return ENGLISH.languages.get(code or "", code or "—")


def local_time(moment: dt.datetime, timezone: dt.tzinfo) -> str:
    """A message's time as the helpline reads its clock ('3 Dec, 14:05')."""
    return format_datetime(moment, "d MMM, HH:mm", tzinfo=timezone, locale=ENGLISH)


def intent_name(intent: str | None) -> str:
    """'unpaid_wages' -> 'Unpaid wages'."""
    return intent.replace("_", " ").capitalize() if intent else "—"


TEMPLATES.env.filters["language_name"] = language_name
TEMPLATES.env.filters["intent_name"] = intent_name
TEMPLATES.env.filters["local_time"] = local_time


def outcome_name(outcome: str | None) -> str:
    """'advice_given' -> 'advice given'."""
    return outcome.replace("_", " ") if outcome else "—"


TEMPLATES.env.filters["outcome_name"] = outcome_name
# also callable by name, for macros that are given the labelling function
TEMPLATES.env.globals.update(language_name=language_name, intent_name=intent_name, outcome_name=outcome_name)


def native_language_name(code: str | None) -> str:
    """'ru' -> 'русский': a language named as its own speakers name it, for choosing it."""
    from babel import Locale

    try:
        return Locale.parse(code or "").get_display_name() or code or "—"
    except (ValueError, TypeError):
        return code or "—"


TEMPLATES.env.filters["native_language_name"] = native_language_name
