"""Languages: Simplified Chinese by default, English on request (Flask-Babel).

The locale follows, in order: the logged-in user's setting, the language chosen with the header
switch (kept in the session), the browser's Accept-Language, and finally Chinese.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel, get_locale
from flask_login import current_user

from hazards.domain.labels import label

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def select_locale() -> str:
    if getattr(current_user, "is_authenticated", False) and current_user.language in LANGUAGES:
        return current_user.language
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_language"] = current_language
    # Enum labels in the page's language: {{ hazard.status | label }}
    app.jinja_env.filters["label"] = lambda member: label(member, current_language())
