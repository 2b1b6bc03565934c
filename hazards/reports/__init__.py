"""Remediation completion reports (隐患治理完成情况报表): what was fixed, against which list, with what money.

Definitions (also in docs/reports.md; the tests hold the code to them). The counting rules are
`hazards.domain.completion`, shared with the tally, the list, the dashboard and the map:

* Scope: hazards whose division lies in the report division's subtree, optionally of one supervision
  level (or the merged 部省级), whose *current* status is in COUNTED_STATUSES (rejected and merged
  ones never count), and found on or before the period end.
* Completed in the period (完成治理, the headline): status closed with closed_on inside the period,
  whatever the batch year.
* On the list: hazards whose batch year lies in the years the period covers (a quarter of 2024 is
  reported against the 2024 list). For them: total; closed by the period end; rate = closed / total
  (open overdue items stay in the denominator; no rate when nothing is listed); on time
  (closed_on <= deadline); ahead (closed_on < deadline; a subset of on time); open at the end
  (total - closed; closed after the period end counts as open); overdue at the end (open and
  deadline < the as-of date, which is the period end, or today while the period runs past today).
  A hazard without a deadline is never on time, ahead or overdue.
* The annual list excludes dynamic additions (动态新增, dynamic_add); they get their own row, and
  the totals are given for the annual list and including dynamic additions. The level rows
  部级/省级/部省级/市级/县级/未挂牌 are annual-list rows.
* Money: funding entries dated within the period for hazards in scope, by kind (budget, allocated,
  spent) and source level; reported in 万元 rounded half up to two decimals from exact yuan sums.
  投入 in the paragraph is money spent.
* Subordinate units: the division's children (counties of a city, cities of a province); hazards
  filed at the division itself form a 本级 row. Units are ranked on the annual-list rate, equal
  rates sharing a rank; a unit with fewer than `min_rank` (default 5) listed hazards is shown but
  not ranked.
* Categories: a hazard with two categories counts under both, so the rows do not add up to the total.
* Road classes: hazards completed in the period by road class, with the number of distinct roads
  (G/S roads by route code; county, township, village and other roads by route code within their
  division, or by name when they have no code) and kilometres of sections by stake (end - start).
* Overdue list: every hazard in scope open and overdue at the as-of date, any batch year, oldest
  deadline first, at most 500 rows (the full count is given too).
* Supervision work (督办工作), for the hazards in scope (so a rejected or merged hazard's history
  never counts) within the period, timestamps by their local date: listings (`list` status changes)
  by the level listed at (the current level, or the level the first later raise started from);
  raises (a level change from a real level to a higher one; the listing's own change from 未挂牌 is
  not one); 通报/约谈/问责 events and the distinct responsible units of their hazards; extension
  requests granted/refused (decided in the period); look-back events; reopenings; the reminders'
  escalations. 处 counts distinct hazards, 次 events.
* Remediation effect (治理成效, `effect`): for the hazards completed in the period, crashes at their
  places before their works and after them (`hazards.queries.crash_effect`, docs/crashes.md); totals
  over those whose after-window is complete; left out when none has a crash at its place.
* Trend: for the page, the PDF and Word, each batch year's annual-list rate and money spent, from that
  year's own report, when the scope holds two years or more (at most six, up to the period's year).
* Previous period (`period.previous_period`): the year before a year (同比); the quarter, half or month
  before (环比); the same number of days before a date range (上期); cut to the same elapsed part while
  the period runs (上年同期). Its numbers are `build_report` for that period (`CompletionReport.previous`),
  left out when its list holds no hazard (the ledger does not hold that period).

Modules: period (parsing), build (the queries and the CompletionReport), supervision (the supervision
work), effect (the remediation effect), trend (the multi-year trend), wording (the paragraphs), charts (inline SVG), layout (table widths
on paper), formats (JSON, CSV, XLSX, HTML, PDF), word (DOCX, a 公文 draft), svg_png (the charts as PNG
for Word), commands (`hazards report`).
"""

from hazards.reports.build import CompletionReport, ReportError, build_report
from hazards.reports.period import Period, PeriodError, parse_period, period_from_params

__all__ = ["CompletionReport", "Period", "PeriodError", "ReportError", "build_report", "parse_period",
           "period_from_params"]
