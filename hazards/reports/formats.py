"""The report as JSON (stable keys, see docs/reports.md), CSV, XLSX, HTML and PDF (DOCX: hazards.reports.word).

CSV, XLSX and HTML share one set of tables (`tables`), so a column means the same in all three.
Cells keep their type until the edge: money is Decimal 万元, rates are fractions, dates are dates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hazards.domain.enums import FundingKind, FundingSource
from hazards.domain.labels import label
from hazards.domain.money import to_wan
from hazards.io.spreadsheet_text import defused, is_formula_like, xlsx_value
from hazards.reports.build import CompletionReport, Counts, Money
from hazards.reports.layout import PrintFit, print_fit, xlsx_width
from hazards.reports.supervision import LISTING_LEVELS, Supervision
from hazards.reports.wording import (DASH, effect_basis, effect_caveat, effect_en, effect_zh, paragraph_en,
                                     paragraph_zh, scope_word_zh)

SCHEMA = "hazards.reports.completion/1"
CENT = Decimal("0.01")
KINDS = list(FundingKind)
SOURCES = list(FundingSource)
COUNT_KEYS = ("completed", "total", "closed", "rate", "on_time", "ahead", "open", "overdue")


# ---- JSON ---------------------------------------------------------------------------------------

def _rate_pct(counts: Counts) -> str | None:
    if not counts.total:
        return None
    return f"{(Decimal(counts.closed) * 100 / counts.total).quantize(Decimal('0.01'), ROUND_HALF_UP):f}"


def _counts_json(counts: Counts) -> dict:
    return {key: (_rate_pct(counts) if key == "rate" else getattr(counts, key)) for key in COUNT_KEYS}


def _money_json(money: Money) -> dict:
    return {kind.value: {**{s.value: f"{to_wan(money.yuan(kind, s)):f}" for s in SOURCES},
                         "total": f"{to_wan(money.yuan(kind)):f}"} for kind in KINDS}


def to_json(report: CompletionReport) -> dict:
    """Every number of the report as JSON-ready values; keys are documented and kept stable."""
    p = report.period
    return {
        "schema": SCHEMA,
        "jurisdiction": {"code": report.jurisdiction_code, "name": report.jurisdiction_name,
                         "name_en": report.jurisdiction_name_en, "level": report.jurisdiction_level.value,
                         "scope_word": scope_word_zh(report.jurisdiction_name, report.jurisdiction_level)},
        "period": {"kind": p.kind, "start": p.start.isoformat(), "end": p.end.isoformat(), "label_zh": p.label_zh,
                   "label_en": p.label_en, "years": list(p.years)},
        "level_filter": report.level_filter,
        "as_of": report.as_of.isoformat(),
        "today": report.today.isoformat(),
        "min_rank": report.min_rank,
        "money_unit": "万元",
        "summary": [{"key": r.key, "label_zh": r.label_zh, "label_en": r.label_en, **_counts_json(r.counts),
                     "money": _money_json(r.money)} for r in report.levels],
        "units": [{"code": u.code, "name": u.name, "name_en": u.name_en, "own": u.own, "rank": u.rank,
                   "ranked": u.rank is not None, "annual": _counts_json(u.annual), "dynamic": _counts_json(u.dynamic),
                   "total": _counts_json(u.all), "money": _money_json(u.money)} for u in report.units],
        "categories": [{"code": c.code, "label_zh": c.label_zh, "label_en": c.label_en, **_counts_json(c.counts)}
                       for c in report.categories],
        "road_classes": [{"code": r.road_class.value if r.road_class else None, "label_zh": r.label("zh"),
                          "label_en": r.label("en"), "completed": r.completed, "roads": r.roads,
                          "km": f"{r.km:f}"} for r in report.road_classes],
        "overdue": {"count": report.overdue_count, "limit": report.overdue_limit, "items": [
            {"code": o.code, "title": o.title, "level": o.level.value, "level_label_zh": label(o.level, "zh"),
             "jurisdiction_code": o.jurisdiction_code, "jurisdiction_name": o.jurisdiction_name,
             "responsible_unit": o.responsible_unit, "deadline": o.deadline.isoformat(),
             "days_overdue": o.days_overdue, "batch_year": o.batch_year, "dynamic_add": o.dynamic_add,
             "lon": None if o.lon is None else round(o.lon, 6), "lat": None if o.lat is None else round(o.lat, 6)}
            for o in report.overdue]},
        "supervision": supervision_json(report.supervision),
        "trend": [{"year": t.year, **_counts_json(t.annual), "spent": f"{to_wan(t.spent):f}"} for t in report.trend],
        "paragraph": {"zh": paragraph_zh(report), "en": paragraph_en(report)},
        "previous": _previous_json(report),
        "effect": effect_json(report),
    }


def _toll_json(toll) -> dict:
    return {"crashes": toll.crashes, "deaths": toll.deaths, "injuries": toll.injuries}


def effect_json(report: CompletionReport) -> dict | None:
    """The `effect` block (治理成效): totals over the hazards whose after-window is complete, each hazard
    with crashes in its windows, the sentence and the caveat; null when the section is left out."""
    effect = report.effect
    if effect is None:
        return None
    t = effect.totals
    return {
        "months": effect.months, "buffer_m": effect.buffer_m, "closed": effect.closed,
        "complete": t.complete, "incomplete": t.incomplete,
        "before": _toll_json(t.before), "during": _toll_json(t.during), "after": _toll_json(t.after),
        "change": {m: {"change": t.change(m).diff,
                       "change_pct": None if t.change(m).percent is None else f"{t.change(m).percent:f}"}
                   for m in ("crashes", "deaths", "injuries")},
        "hazards": [{"code": r.code, "title": r.title, "jurisdiction_name": r.jurisdiction_name,
                     "closed_on": r.closed_on.isoformat(), "works_start": r.windows.works_start.isoformat(),
                     "works_end": r.windows.works_end.isoformat(), "before_from": r.windows.before_from.isoformat(),
                     "after_to": r.windows.after_to.isoformat(), "complete": r.complete,
                     "months_after": r.windows.months_after, "before": _toll_json(r.before),
                     "during": _toll_json(r.during), "after": _toll_json(r.after)} for r in effect.rows],
        "sentence": {"zh": effect_zh(report), "en": effect_en(report)},
        "caveat": {"zh": effect_caveat("zh"), "en": effect_caveat("en")},
    }


def supervision_json(s: Supervision) -> dict:
    """The `supervision` block: hazards (处) or events (次) of the period's supervision work."""
    return {"listed": {"total": s.listed_total, **{lv.value: s.listed_at(lv) for lv in LISTING_LEVELS}},
            "raised": s.raised, "notices": s.notices, "summons": s.summons, "accountability": s.accountability,
            "units_concerned": s.units_concerned,
            "extensions": {"granted": s.extensions_granted, "refused": s.extensions_refused},
            "lookbacks": s.lookbacks, "reopened": s.reopened, "escalations": s.escalations}


# ---- the shared tables ----------------------------------------------------------------------------

@dataclass
class Column:
    zh: str
    en: str
    kind: str = "int"  # int | text | rate | wan | km | date | num (int or Decimal, by row)

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass
class Table:
    key: str
    zh: str
    en: str
    columns: list[Column]
    rows: list[list]

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def display_rows(self, lang: str = "zh") -> list[list[str]]:
        return [[display(cell, col.kind) for cell, col in zip(row, self.columns)] for row in self.rows]

    def fit(self, lang: str = "zh") -> PrintFit:
        """How the table prints on the page: font size, column widths, which cells stay on one line."""
        return print_fit([c.title(lang) for c in self.columns], [c.kind != "text" for c in self.columns],
                         self.display_rows(lang))


def display(cell, kind: str) -> str:
    """A cell as text (CSV, HTML): 92.71%, 2462.35, 12.7, 2024-10-31; '—' for a rate with no denominator."""
    if cell is None:
        return DASH if kind == "rate" else ""
    if kind == "rate":
        return f"{(cell * 100).quantize(Decimal('0.01'), ROUND_HALF_UP):f}%"
    if kind == "wan":
        return f"{cell:f}"
    if kind == "km":  # one decimal, as in the paragraph: 60.0, 12.7
        return f"{Decimal(cell).quantize(Decimal('0.1'), ROUND_HALF_UP):f}"
    if kind == "num":  # a column whose rows hold counts, percentages and 万元 (the comparison table)
        return f"{cell:f}" if isinstance(cell, Decimal) else str(cell)
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def _rate(counts: Counts) -> Decimal | None:
    return None if not counts.total else (Decimal(counts.closed) / Decimal(counts.total)).quantize(Decimal("0.000001"))


def _count_cells(c: Counts) -> list:
    return [c.completed, c.total, c.closed, _rate(c), c.on_time, c.ahead, c.open, c.overdue]


def _money_cells(m: Money) -> list:
    return [to_wan(m.yuan(kind)) for kind in KINDS]


def _count_columns(total_zh: str = "清单内隐患", total_en: str = "On the list") -> list[Column]:
    return [Column("完成治理（期内）", "Completed in period"), Column(total_zh, total_en), Column("已完成", "Closed"),
            Column("治理率", "Completion rate", "rate"), Column("按期完成", "On time"),
            Column("提前完成", "Ahead of deadline"), Column("未完成", "Open"), Column("逾期", "Overdue")]


MONEY_COLUMNS = [Column("预算（万元）", "Budget (10k yuan)", "wan"), Column("到位（万元）", "Allocated (10k yuan)", "wan"),
                 Column("支出（万元）", "Spent (10k yuan)", "wan")]


def tables(report: CompletionReport, lang: str = "zh") -> list[Table]:
    """The report's tables in order: summary, money, units, categories, road classes, overdue list."""
    en = lang == "en"

    def name(zh: str, english: str) -> str:
        return english if en else zh

    summary = Table("summary", "按督办级别汇总", "Summary by supervision level",
                    [Column("督办级别", "Level", "text"), *_count_columns(), *MONEY_COLUMNS],
                    [[name(r.label_zh, r.label_en), *_count_cells(r.counts), *_money_cells(r.money)]
                     for r in report.levels])
    money_rows = []
    groups = [(name(r.label_zh, r.label_en), r.money) for r in report.levels]
    groups += [(name(u.name, u.name_en), u.money) for u in report.units if u.money.amounts]
    for group, money in groups:
        for kind in KINDS:
            money_rows.append([group, label(kind, lang), *[to_wan(money.yuan(kind, s)) for s in SOURCES],
                               to_wan(money.yuan(kind))])
    funding = Table("money", "资金投入（万元）", "Funding (10,000 yuan)",
                    [Column("分组", "Group", "text"), Column("资金类别", "Kind", "text"),
                     *[Column(label(s, "zh"), label(s, "en"), "wan") for s in SOURCES], Column("合计", "Total", "wan")],
                    money_rows)
    not_ranked = name(f"不排名（清单内不足{report.min_rank}处）", f"not ranked (fewer than {report.min_rank})")
    units = Table("units", "按下级辖区", "By subordinate division",
                  [Column("排名", "Rank", "text"), Column("单位", "Unit", "text"), Column("代码", "Code", "text"),
                   *_count_columns("年度清单隐患", "On the annual list"), Column("动态新增", "Dynamic additions"),
                   Column("动态新增已完成", "Dynamic additions closed"), *MONEY_COLUMNS],
                  [[u.rank if u.rank is not None else (DASH if u.own else not_ranked), name(u.name, u.name_en), u.code,
                    u.all.completed, *_count_cells(u.annual)[1:], u.dynamic.total, u.dynamic.closed,
                    *_money_cells(u.money)] for u in report.units if not (u.own and len(report.units) == 1)])
    categories = Table("categories", "按隐患类型（一处隐患可属多个类型）", "By category (a hazard may have several)",
                       [Column("隐患类型", "Category", "text"), *_count_columns("隐患数", "Hazards")],
                       [[name(c.label_zh, c.label_en), *_count_cells(c.counts)] for c in report.categories])
    roads = Table("road_classes", "按道路类别（期内完成治理）", "By road class (completed in the period)",
                  [Column("道路类别", "Road class", "text"), Column("完成治理（处）", "Completed"),
                   Column("道路（条）", "Roads"), Column("路段里程（公里）", "Sections (km)", "km")],
                  [[r.label(lang), r.completed, r.roads, r.km] for r in report.road_classes])
    overdue = Table("overdue", "逾期未完成隐患清单", "Overdue hazards",
                    [Column("隐患编号", "Code", "text"), Column("隐患名称", "Title", "text"),
                     Column("督办级别", "Level", "text"), Column("辖区", "Division", "text"),
                     Column("责任单位", "Responsible unit", "text"), Column("整改期限", "Deadline", "date"),
                     Column("逾期天数", "Days overdue"), Column("批次年度", "Batch year"),
                     Column("动态新增", "Dynamic addition", "text")],
                    [[o.code, o.title, label(o.level, lang), o.jurisdiction_name, o.responsible_unit, o.deadline,
                      o.days_overdue, o.batch_year, name("是" if o.dynamic_add else "否", "yes" if o.dynamic_add else "no")]
                     for o in report.overdue])
    comparison = comparison_table(report, lang)
    return [summary, *([comparison] if comparison else []), funding, units, categories, roads,
            supervision_table(report, lang), *effect_tables(report, lang), overdue]


def effect_notes(report: CompletionReport, lang: str = "zh") -> list[str]:
    """What is printed under the effect's totals: the sentence, the caveat and the definitions."""
    if report.effect is None:
        return []
    return [effect_en(report) if lang == "en" else effect_zh(report), effect_caveat(lang), effect_basis(report, lang)]


def effect_tables(report: CompletionReport, lang: str = "zh") -> list[Table]:
    """治理成效: the totals (before, during the works, after, change) and the hazards with crashes; none
    when the report has no effect section."""
    effect = report.effect
    if effect is None:
        return []
    en, m, t = lang == "en", effect.months, effect.totals
    rows = []
    # No totals before any after-window has run its length: zeros would read as a comparison made.
    for measure, zh, english in (("crashes", "事故（起）", "Crashes"), ("deaths", "死亡（人）", "Deaths"),
                                 ("injuries", "受伤（人）", "Injuries")) if t.complete else ():
        change = t.change(measure)
        rows.append([english if en else zh, change.before, getattr(t.during, measure), change.after, change.diff,
                     None if change.percent is None else change.percent / 100])
    totals_table = Table(
        "effect", f"治理成效（治理前后各{m}个月，{t.complete}处）",
        f"Remediation effect ({m} months before and after, {t.complete} hazards)",
        [Column("项目", "Item", "text"), Column(f"治理前{m}个月", f"{m} months before"),
         Column("施工期间", "During works"), Column(f"治理后{m}个月", f"{m} months after"),
         Column("增减", "Change"), Column("增减幅度", "Change (%)", "rate")], rows)

    def remark(row) -> str:
        if row.complete:
            return ""
        return (f"only {row.windows.months_after} of {m} months after" if en
                else f"治理后仅满{row.windows.months_after}个月")

    hazards_table = Table(
        "effect_hazards", "治理成效明细（前后有事故的隐患）", "Remediation effect by hazard (hazards with crashes)",
        [Column("隐患编号", "Code", "text"), Column("隐患名称", "Title", "text"), Column("辖区", "Division", "text"),
         Column("销号日期", "Closed on", "date"), Column("施工起止", "Works", "text"),
         Column("治理前事故", "Crashes before"), Column("治理前死亡", "Deaths before"),
         Column("治理前受伤", "Injuries before"), Column("施工期间事故", "Crashes during works"),
         Column("治理后事故", "Crashes after"), Column("治理后死亡", "Deaths after"),
         Column("治理后受伤", "Injuries after"), Column("备注", "Remark", "text")],
        [[r.code, r.title, r.jurisdiction_name, r.closed_on,
          f"{r.windows.works_start.isoformat()}—{r.windows.works_end.isoformat()}", r.before.crashes, r.before.deaths,
          r.before.injuries, r.during.crashes, r.after.crashes, r.after.deaths, r.after.injuries, remark(r)]
         for r in effect.rows])
    return [totals_table, hazards_table]


_LEVEL_ROWS = {"ministry": ("其中：部级", "of which ministry level"), "province": ("其中：省级", "of which province level"),
               "city": ("其中：市级", "of which city level"), "county": ("其中：县级", "of which county level")}


def supervision_table(report: CompletionReport, lang: str = "zh") -> Table:
    """督办工作情况: one row a figure, with its measure (处 counts hazards, 次 events, 个 units)."""
    s = report.supervision
    en = lang == "en"
    hazards, times, units = ("hazards", "times", "units") if en else ("处", "次", "个")
    rows = [("挂牌督办", "Listed for supervision", s.listed_total, hazards),
            *[(*_LEVEL_ROWS[lv.value], s.listed_at(lv), hazards) for lv in LISTING_LEVELS],
            ("提级督办", "Raised to a higher level", s.raised, hazards),
            ("通报", "Public notices", s.notices, times), ("约谈", "Summonses", s.summons, times),
            ("问责", "Accountability actions", s.accountability, times),
            ("通报、约谈、问责涉及责任单位", "Responsible units concerned", s.units_concerned, units),
            ("批准延期", "Extensions granted", s.extensions_granted, hazards),
            ("不予延期", "Extensions refused", s.extensions_refused, hazards),
            ("回头看", "Looked back at", s.lookbacks, hazards),
            ("重新整改（销号后重新打开）", "Reopened after closing", s.reopened, hazards),
            ("逾期提醒升级上报", "Escalated by the overdue reminders", s.escalations, hazards)]
    return Table("supervision", "督办工作情况", "Supervision work",
                 [Column("项目", "Item", "text"), Column("数量", "Number"), Column("计量单位", "Measure", "text")],
                 [[english if en else zh, n, measure] for zh, english, n, measure in rows])


def heading(report: CompletionReport, lang: str = "zh") -> list[tuple[str, str]]:
    """The parameters block printed above the tables."""
    en = lang == "en"
    level = next((r for r in report.levels if r.key == report.level_filter), None) if report.level_filter else None
    level_text = (level.label_en if en else level.label_zh) if level else ("All" if en else "全部")
    return [
        ("Division" if en else "辖区", f"{report.jurisdiction_name_en} ({report.jurisdiction_code})" if en
         else f"{report.jurisdiction_name}（{report.jurisdiction_code}）"),
        ("Period" if en else "统计期间", report.period.label_en if en else report.period.label_zh),
        ("Supervision level" if en else "督办级别", level_text),
        ("Open and overdue as of" if en else "未完成、逾期统计截至", report.as_of.isoformat()),
    ]


# ---- this period beside the previous one (同比 / 环比) ------------------------------------------

def comparison_rows(report: CompletionReport) -> list[tuple[str, str, str, object, object]]:
    """(key, 中文, English, this period, previous period) for the summary rows and money; the list rows are
    the annual list's (as in the paragraph), the rate in percent to two decimals, money in 万元."""
    now, before = report, report.previous

    def pct(r: CompletionReport) -> Decimal | None:
        counts = r.level("annual").counts
        rate = _rate(counts)
        return None if rate is None else (rate * 100).quantize(CENT, ROUND_HALF_UP)

    rows = [("completed", "完成治理（期内）", "Completed in the period", lambda r: r.total.counts.completed),
            ("total", "年度清单内隐患", "On the annual list", lambda r: r.level("annual").counts.total),
            ("closed", "清单内已完成", "Closed from the list", lambda r: r.level("annual").counts.closed),
            ("rate", "治理率（%）", "Completion rate (%)", pct),
            ("on_time", "按期完成", "On time", lambda r: r.level("annual").counts.on_time),
            ("ahead", "其中提前完成", "of which ahead of deadline", lambda r: r.level("annual").counts.ahead),
            ("overdue", "逾期", "Overdue", lambda r: r.level("annual").counts.overdue)]
    rows += [(kind.value, column.zh, column.en, lambda r, kind=kind: to_wan(r.total.money.yuan(kind)))
             for kind, column in zip(KINDS, MONEY_COLUMNS)]
    return [(key, zh, en, value(now), value(before)) for key, zh, en, value in rows]


def _change(this, before) -> tuple[object, Decimal | None]:
    """The change and the change as a fraction of the previous value (None from zero or without a value)."""
    if this is None or before is None:
        return None, None
    diff = this - before
    return diff, (None if not before else (Decimal(diff) / Decimal(before)).quantize(Decimal("0.000001")))


def comparison_table(report: CompletionReport, lang: str = "zh") -> Table | None:
    """与上年对比（同比）/ 与上季度对比（环比）…: this period, the previous one, the change and the change in
    percent; the rate's change is in percentage points (no percent of a percent). None when the ledger
    holds nothing for the previous period."""
    if report.previous is None:
        return None
    en = lang == "en"
    this, before = report.period, report.previous.period
    title_zh, title_en = comparison_title(report)
    rows = []
    for key, zh, english, now, prev in comparison_rows(report):
        diff, ratio = _change(now, prev)
        rows.append([english if en else zh, DASH if now is None else now, DASH if prev is None else prev,
                     DASH if diff is None else diff, None if key == "rate" else ratio])
    return Table("previous", title_zh, title_en,
                 [Column("项目", "Item", "text"), Column(f"本期（{this.label_zh}）", f"This period ({this.label_en})", "num"),
                  Column(f"上期（{before.label_zh}）", f"Previous ({before.label_en})", "num"),
                  Column("增减", "Change", "num"), Column("增减幅度", "Change (%)", "rate")], rows)


def comparison_title(report: CompletionReport) -> tuple[str, str]:
    kind = report.period.kind
    if kind == "year" and report.previous.period.kind == "range":  # a running year: the same part of the last
        return "与上年同期对比（同比）", "Compared with the same part of the previous year"
    if kind == "year":
        return "与上年对比（同比）", "Compared with the previous year"
    if kind == "range":
        return "与上期对比", "Compared with the preceding period"
    name_zh = {"quarter": "上季度", "month": "上月", "half": "上个半年"}[kind]
    name_en = {"quarter": "quarter", "month": "month", "half": "half-year"}[kind]
    return f"与{name_zh}对比（环比）", f"Compared with the previous {name_en}"


def _previous_json(report: CompletionReport) -> dict | None:
    """The previous period's summary and money, and each comparison row with its change; null when the
    ledger holds nothing for the previous period."""
    previous = report.previous
    if previous is None:
        return None
    p = previous.period

    def number(value):
        return f"{value:f}" if isinstance(value, Decimal) else value

    changes = []
    for key, zh, en, now, prev in comparison_rows(report):
        diff, ratio = _change(now, prev)
        changes.append({"key": key, "label_zh": zh, "label_en": en, "this": number(now), "previous": number(prev),
                        "change": number(diff),
                        "change_pct": None if key == "rate" or ratio is None else
                        f"{(ratio * 100).quantize(CENT, ROUND_HALF_UP):f}"})
    return {
        "comparison": "year_on_year" if report.period.kind == "year" else "period_on_period",
        "period": {"kind": p.kind, "start": p.start.isoformat(), "end": p.end.isoformat(), "label_zh": p.label_zh,
                   "label_en": p.label_en, "years": list(p.years)},
        "as_of": previous.as_of.isoformat(),
        "summary": [{"key": r.key, "label_zh": r.label_zh, "label_en": r.label_en, **_counts_json(r.counts),
                     "money": _money_json(r.money)} for r in previous.levels],
        "changes": changes,
    }


# ---- CSV and XLSX -------------------------------------------------------------------------------------

def to_csv(report: CompletionReport, lang: str = "zh") -> str:
    """All tables in one CSV: each under a title line, separated by a blank line (BOM added by the caller
    that writes bytes, so Excel reads the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for key, value in heading(report, lang):
        writer.writerow([key, defused(value)])
    writer.writerow([])
    for table in tables(report, lang):
        writer.writerow([f"【{table.title(lang)}】"])
        writer.writerow([c.title(lang) for c in table.columns])
        # Names and titles come from the ledger: defused so a spreadsheet shows them, never runs them.
        writer.writerows([[defused(cell) if column.kind == "text" else cell for cell, column in zip(row, table.columns)]
                          for row in table.display_rows(lang)])
        if table.key == "effect":
            writer.writerows([[note] for note in effect_notes(report, lang)])
        writer.writerow([])
    writer.writerow(["【综述】" if lang != "en" else "[Summary]"])
    writer.writerow([paragraph_en(report) if lang == "en" else paragraph_zh(report)])
    return out.getvalue()


XLSX_FORMATS = {"wan": "0.00", "rate": "0.00%", "km": "0.0##", "date": "yyyy-mm-dd", "int": "0"}
SHEET_NAMES = {"summary": "汇总", "previous": "与上期对比", "money": "资金", "units": "下级辖区", "categories": "隐患类型",
               "road_classes": "道路类别", "supervision": "督办工作", "effect": "治理成效",
               "effect_hazards": "治理成效明细", "overdue": "逾期清单"}


def to_xlsx(report: CompletionReport, lang: str = "zh") -> bytes:
    """One sheet per table with Chinese headers; numbers, money (Decimal 万元) and dates as typed cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    about = book.active
    about.title = "说明"
    about.append(["道路交通安全隐患治理完成情况报表"])
    about["A1"].font = Font(bold=True, size=14)
    for key, value in heading(report, "zh"):
        about.append([key, xlsx_value(value)])
    about.append(["综述", xlsx_value(paragraph_zh(report))])
    about.append(["Summary", xlsx_value(paragraph_en(report))])
    for label_zh, note in zip(("治理成效", "说明", "口径"), effect_notes(report, "zh")):
        about.append([label_zh, xlsx_value(note)])
    for row in about.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
        _keep_as_text(row)
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 22, 110
    _print_setup(about)
    for table in tables(report, "zh"):
        sheet = book.create_sheet(SHEET_NAMES[table.key])
        sheet.append([c.zh for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        shown = table.display_rows("zh")
        for values in table.rows:
            # A rate with no denominator is written as '—' (text), never as 0%.
            sheet.append([DASH if (v is None and c.kind == "rate") else xlsx_value(v)
                          for v, c in zip(values, table.columns)])
            for cell, column in zip(sheet[sheet.max_row], table.columns):
                if column.kind in XLSX_FORMATS and not isinstance(cell.value, str):
                    cell.number_format = XLSX_FORMATS[column.kind]
            _keep_as_text(sheet[sheet.max_row])
        # Widths from the text a reader sees (CJK counts double); a text longer than a column holds wraps.
        for index, column in enumerate(table.columns, start=1):
            width, wraps = xlsx_width(column.zh, [row[index - 1] for row in shown])
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=wraps or column.kind == "text", vertical="top")
        sheet.freeze_panes = "A2"
        _print_setup(sheet, title_rows="1:1")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _print_setup(sheet, title_rows: str | None = None) -> None:
    """Printed from Excel or WPS: A4 landscape, all columns on the page's width, the header on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if title_rows:
        sheet.print_title_rows = title_rows


def _keep_as_text(cells) -> None:
    """A title or unit name that starts with '=' is stored as text, not as a formula Excel would run."""
    for cell in cells:
        if is_formula_like(cell.value):
            cell.data_type = "s"


# ---- HTML and PDF ---------------------------------------------------------------------------------

def render_context(report: CompletionReport, lang: str = "zh") -> dict:
    """What the report templates need: the tables, the paragraph and the SVG, in one language."""
    from markupsafe import Markup

    from hazards.reports import charts

    def svg(markup: str | None):
        return Markup(markup) if markup else None

    return {"report": report, "lang": lang, "tables": tables(report, lang), "heading": heading(report, lang),
            "effect_notes": effect_notes(report, lang),
            "paragraph": paragraph_en(report) if lang == "en" else paragraph_zh(report),
            "level_chart": svg(charts.level_chart(report, lang)), "units_chart": svg(charts.units_chart(report, lang)),
            "map": svg(charts.map_svg(report, lang)), "trend_chart": svg(charts.trend_chart(report, lang))}


def to_html(report: CompletionReport, lang: str = "zh") -> str:
    """A standalone HTML document (inline CSS and SVG, no external URL): the PDF's source too."""
    from flask import render_template

    # The macros above the document leave blank lines; the doctype must come first.
    return render_template("reports/report_document.html", **render_context(report, lang)).lstrip()


def to_pdf(report: CompletionReport, lang: str = "zh") -> bytes:
    """The standalone HTML printed by WeasyPrint with the system's CJK fonts (fonts-noto-cjk)."""
    from weasyprint import HTML

    return HTML(string=to_html(report, lang)).write_pdf()


# ---- one entry point for the web, the CLI and the background job -----------------------------------

MIMETYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "txt": "text/plain; charset=utf-8"}
#: The formats that draw the map of the subordinate divisions (the report is then built with_map).
MAP_FORMATS = ("html", "pdf", "docx")


def report_file_key(file_name: str) -> str:
    """Where a report built in the background is kept in the store (hazards.storage), for whichever
    web server is asked for it; the same path older versions used in the instance folder."""
    return f"reports/{file_name}"


def export(report: CompletionReport, fmt: str, lang: str = "zh") -> bytes:
    """The report as the bytes of a file in `fmt` (json, csv, html, xlsx, pdf, docx, txt)."""
    import json

    if fmt == "json":
        return json.dumps(to_json(report), ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "csv":
        return ("\ufeff" + to_csv(report, lang)).encode("utf-8")  # the BOM makes Excel read UTF-8
    if fmt == "html":
        return to_html(report, lang).encode("utf-8")
    if fmt == "xlsx":
        return to_xlsx(report, lang)
    if fmt == "pdf":
        return to_pdf(report, lang)
    if fmt == "docx":
        from hazards.reports.word import to_docx

        return to_docx(report, lang)
    if fmt == "txt":
        return ((paragraph_en(report) if lang == "en" else paragraph_zh(report)) + "\n").encode("utf-8")
    raise ValueError(f"unknown report format '{fmt}'")


def download_name(report: CompletionReport, fmt: str) -> str:
    """e.g. 忻州市2024年隐患治理报表.xlsx (部省级 added when filtered by level)."""
    level = next((r.label_zh for r in report.levels if r.key == report.level_filter), "")
    return f"{report.jurisdiction_name}{report.period.label_zh}{level}隐患治理报表.{fmt}"
