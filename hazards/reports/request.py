"""A report asked for with string parameters (a URL query or a form): which division, period, level, ranking.

One reader for the web pages (/reports, downloads, background jobs) and the API (/api/v1/reports), so
both take the same parameters, refuse the same mistakes (`ReportParamsError`, a 400 naming each wrong
parameter) and hide the same divisions: a user reports on their own division and those below it,
and any other division does not exist for them (`NotFound`, 404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from hazards import clock, permissions
from hazards.domain.divisions import DivisionCodeError, check_code
from hazards.domain.errors import N_, NotFound, ServiceError, TranslatableValueError
from hazards.models import Jurisdiction
from hazards.reports.build import CompletionReport, ReportError, build_report, resolve_level
from hazards.reports.period import Period, PeriodError, period_from_params

#: The parameters a report request reads (the web also takes `lang`, and `format` for a download).
PARAMS = frozenset({"jurisdiction", "year", "quarter", "half", "month", "from", "to", "level", "min_rank"})
MAX_MIN_RANK = 9999
_WHOLE_NUMBER = re.compile(r"^[0-9]{1,4}$")


class ReportParamsError(ServiceError):
    """Parameters that do not make a report; `details['fields']` maps each wrong one to what is wrong
    (in English, for programs); the message lists them for people, each under the form's own label."""

    status = 400
    code = "invalid_parameter"


#: The parameters as the report form labels them.
PARAM_LABELS = {"jurisdiction": N_("Division"), "year": N_("Year"), "quarter": N_("Quarter"),
                "half": N_("Half year"), "month": N_("Month"), "from": N_("From"), "to": N_("To"),
                "level": N_("Supervision level"), "min_rank": N_("Ranking threshold")}


class _ParamProblem(TranslatableValueError):
    def __init__(self, name: str, problem: TranslatableValueError):
        super().__init__(N_("%(param)s is wrong: %(problem)s"), {"param": _Label(PARAM_LABELS[name]), "problem": problem})


class _Label:
    """A parameter's label as a param of a message: translated with it (see hazards.i18n)."""

    def __init__(self, template: str):
        self.template, self.params = template, {}

    def __str__(self) -> str:
        return self.template


@dataclass
class ReportRequest:
    jurisdiction_code: str
    period: Period
    level: str | None
    min_rank: int
    lang: str

    def query(self, **extra) -> dict:
        """The parameters as a URL query, so a report can be linked and downloaded as shown."""
        params = {"jurisdiction": self.jurisdiction_code, **self.period.to_params(), "min_rank": self.min_rank}
        if self.level:
            params["level"] = self.level
        return {**params, **extra}

    def build(self, session: Session, *, today: date | None = None, with_map: bool = True,
              with_trend: bool | None = None) -> CompletionReport:
        """The report; the map and the multi-year trend (drawn on the page and in the PDF) only when asked."""
        return build_report(session, self.jurisdiction_code, self.period, self.level, today=today or clock.today(),
                            min_rank=self.min_rank, with_map=with_map,
                            with_trend=with_map if with_trend is None else with_trend)


def read_report_request(session: Session, args, user, *, default_min_rank: int = 5,
                        default_lang: str = "zh") -> ReportRequest:
    """The report `user` asks for with `args` (a mapping of strings); the division defaults to the user's own.

    Raises ReportParamsError listing every wrong parameter, or NotFound for a division outside the
    user's subtree (or one not in the ledger); the two are told apart only by a malformed code.
    """
    problems: dict[str, TranslatableValueError] = {}
    code = (args.get("jurisdiction") or user.jurisdiction_code).strip()
    try:
        check_code(code)
    except DivisionCodeError as exc:
        problems["jurisdiction"] = exc

    period_args = args
    if args.get("from") and args.get("to"):
        # The web form shows a year and a range together: a filled-in range is the period asked for.
        period_args = {"from": args.get("from"), "to": args.get("to")}
    period = None
    try:
        period = period_from_params(period_args)
    except PeriodError as exc:
        problems[exc.field] = exc

    level = None
    try:
        level, _levels = resolve_level(args.get("level") or None)
    except ReportError as exc:
        problems["level"] = exc

    raw_rank = (args.get("min_rank") or "").strip()
    min_rank = default_min_rank
    if raw_rank:
        if _WHOLE_NUMBER.match(raw_rank):
            min_rank = int(raw_rank)
        else:
            problems["min_rank"] = TranslatableValueError(
                N_("'%(value)s' is not a whole number from 0 to %(max)s."), {"value": raw_rank, "max": MAX_MIN_RANK})

    if problems:
        raise ReportParamsError(N_("Some report parameters are wrong: %(problems)s"),
                                {"problems": [_ParamProblem(name, p) for name, p in problems.items()]},
                                fields={name: str(p) for name, p in problems.items()})
    if not permissions.can_see(user, code) or session.get(Jurisdiction, code) is None:
        raise NotFound(N_("No division %(code)s is within your jurisdiction."), {"code": code})
    lang = args.get("lang") if args.get("lang") in ("zh", "en") else default_lang
    return ReportRequest(code, period, level, min_rank, lang)
