"""Errors geo raises carry a message template and its params, not a finished sentence.

geo knows nothing of the app or its languages, so it only marks its templates with `N_` (for
`pybabel extract -k N_`); whoever shows the error to a person translates `template` and fills in
`params`. `str(exc)` is the English rendering, for logs, tests and the command line.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(template: str) -> str:
    """Mark a template for translation; the translation happens in the app that shows it."""
    return template


class GeoError(ValueError):
    """Base of geo's input errors: `template` (a msgid with %(name)s placeholders) and `params`."""

    def __init__(self, template: str, params: Mapping | None = None):
        self.template = template
        self.params = dict(params or {})
        super().__init__(template % self.params if self.params else template)

    def __reduce__(self):
        # Pickled (a GIS file is read in a child process) with its template, so it is still translated.
        return self.__class__, (self.template, self.params)
