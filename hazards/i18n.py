"""Languages: Simplified Chinese by default, English on request (Flask-Babel).

The locale follows, in order: the logged-in user's setting, the language chosen with the header
switch (kept in the session), the browser's Accept-Language, and finally Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from babel import Locale
from flask import Flask, request, session
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_login import current_user

from hazards.domain.labels import label

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def select_locale() -> Locale:
    return _LOCALES[_chosen_language()]


def _chosen_language() -> str:
    if getattr(current_user, "is_authenticated", False) and current_user.language in LANGUAGES:
        return current_user.language
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


#: Parsed once: Flask-Babel takes a Locale as it is, where a code is parsed again (and its locale data
#: looked up on disk) for every request.
_LOCALES = {language: Locale.parse(language) for language in LANGUAGES}


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def translate_message(template: str, params: Mapping | None = None, language: str | None = None) -> str:
    """A message template (an error's, marked with N_) in the page's language, or in `language`.

    Enum params show their label in that language; a param that is itself an error (it has a
    `template`) is translated the same way, so a reason quoted inside a message is not left in English.
    """
    if language is not None:
        with force_locale(language):
            return translate_message(template, params)
    text = get_translations().ugettext(template)
    if not params:
        return text
    language = current_language()
    return text % {name: _param_text(value, language) for name, value in params.items()}


def _param_text(value, language: str):
    if isinstance(value, Enum):
        return label(value, language)
    if callable(getattr(value, "text", None)):
        return value.text(language)  # a param that knows its own wording (an action, missing requirements)
    if isinstance(value, (list, tuple)):
        sentences = any(getattr(v, "template", None) is not None for v in value)
        separator = ("；" if sentences else "、") if language == "zh" else ("; " if sentences else ", ")
        return separator.join(str(_param_text(v, language)) for v in value)
    if getattr(value, "template", None) is not None:
        return translate_message(value.template, getattr(value, "params", None))
    return value


def error_text(exc: BaseException, language: str | None = None) -> str:
    """What a person reads for a typed error (a service's or geo's); other errors as they are."""
    template = getattr(exc, "template", None)
    if template is None:
        return str(exc)
    return translate_message(template, getattr(exc, "params", None), language)


def field_texts(exc: BaseException) -> dict[str, str]:
    """An InvalidInput's per-field problems in the page's language (field name -> text)."""
    messages = getattr(exc, "field_messages", None) or {}
    return {name: translate_message(template, params) for name, (template, params) in messages.items()}


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_language"] = current_language
    # Enum labels in the page's language: {{ hazard.status | label }}
    app.jinja_env.filters["label"] = lambda member: label(member, current_language())
    # A message template (N_) with its params, in the page's language: {{ message(c.reason, c.params) }}
    app.jinja_env.globals["message"] = translate_message
