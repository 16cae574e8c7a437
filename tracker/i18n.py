"""Marking Chinese text that stays Chinese where it is defined but is translated where a page
shows it. Message ids are the Chinese UI text, so such text is both the stored or printed
wording (documents, notices, the API) and the key a page looks up: `_(text)` in a template.
"""


def N_(text: str) -> str:
    """gettext_noop: return *text* unchanged; pybabel extracts it (a default keyword)."""
    return text
