"""Marking Chinese text that stays Chinese where it is defined but is translated where a page
shows it. Message ids are the Chinese UI text, so such text is both the stored or printed
wording (documents, notices, the API) and the key a page looks up: `_(text)` in a template.
"""


def N_(text: str) -> str:
    """gettext_noop: return *text* unchanged; pybabel extracts it (a default keyword)."""
    return text


def translated(message: str) -> str:
    """gettext(message) for the current request, looked up once per request and message: a
    list page asks for the same few light and status texts on every row."""
    from flask import g
    from flask_babel import gettext

    memo = g.setdefault("_duban_translated", {})
    text = memo.get(message)
    if text is None:
        text = memo[message] = gettext(message)
    return text


def forget() -> None:
    """End this module's per-request lookups (`g` outlives a request when an app context
    spans several): called at every request's start."""
    from flask import g

    g.pop("_duban_translated", None)
    g.pop("_duban_locale", None)


def locale_name() -> str:
    """The request's locale as a string ("zh", "en"), looked up once per request."""
    from flask import g
    from flask_babel import get_locale

    name = g.get("_duban_locale")
    if name is None:
        name = g._duban_locale = str(get_locale())
    return name
