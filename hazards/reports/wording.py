"""The report's summary paragraph in the year-end style of the seeds, in Chinese and English, with the
previous period beside this one (同比 / 环比), and the number formats it and the tables share (100处,
87.5%, 2462万余元, 2462.35万元, 27.2公里)."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from hazards.domain.enums import FundingKind, JurisdictionLevel, RoadClass
from hazards.domain.money import TEN_THOUSAND, to_wan
from hazards.reports.build import CompletionReport, Counts, RoadClassRow
from hazards.reports.period import HALVES_EN, HALVES_ZH, Period, en_date, zh_date
from hazards.reports.supervision import LISTING_LEVELS

DASH = "—"
SUBJECT_ZH = "道路交通安全隐患"
# Longest suffix first: 自治区 before 区, 自治州 before 州.
_SCOPE_WORDS = [("自治区", "全区"), ("自治州", "全州"), ("地区", "全地区"), ("省", "全省"), ("盟", "全盟"),
                ("市", "全市"), ("区", "全区"), ("县", "全县"), ("旗", "全旗"), ("州", "全州")]
_LEVEL_WORDS = {JurisdictionLevel.NATIONAL: "全国", JurisdictionLevel.PROVINCE: "全省",
                JurisdictionLevel.CITY: "全市", JurisdictionLevel.COUNTY: "全县"}
_FILTER_ZH = {"ministry": "部级督办", "province": "省级督办", "ministry_province": "部省级督办",
              "city": "市级督办", "county": "县级督办", "none": "未挂牌督办"}
_FILTER_EN = {"ministry": "ministry-level", "province": "province-level", "ministry_province":
              "ministry- or province-level", "city": "city-level", "county": "county-level", "none": "unlisted"}
_QUARTER_WORDS = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
_ROAD_ORDER = {rc: i for i, rc in enumerate(RoadClass)}


# ---- numbers as people write them ------------------------------------------------------------

def percent(part: int, whole: int, places: int = 1) -> str:
    """87.5% in a sentence (trailing .0 dropped), 87.50% in a table (places=2); '—' when whole is 0."""
    if not whole:
        return DASH
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{value:f}"
    if places == 1 and text.endswith(".0"):
        text = text[:-2]
    return text + "%"


def rate_text(counts: Counts, places: int = 1) -> str:
    return percent(counts.closed, counts.total, places)


def wan(yuan: Decimal | int | None) -> str:
    """万元 with two decimals, no separators, as in a report table: 2462.35."""
    return f"{to_wan(yuan):f}"


def wan_zh(yuan: Decimal | int | None) -> str:
    """Money in a sentence: 2462万余元 (floored to whole 万, with a remainder), 2462万元 (exact),
    0.35万元 (under one 万, where flooring would say nothing)."""
    yuan = Decimal(yuan or 0)
    whole = (yuan / TEN_THOUSAND).to_integral_value(ROUND_DOWN)
    if whole == 0:
        return f"{wan(yuan)}万元"
    return f"{whole}万元" if whole * TEN_THOUSAND == yuan else f"{whole}万余元"


def yuan_en(yuan: Decimal | int | None) -> str:
    yuan = Decimal(yuan or 0)
    if yuan >= 1_000_000:
        return f"{(yuan / 1_000_000).quantize(Decimal('0.01'), ROUND_HALF_UP)} million yuan"
    return f"{yuan.quantize(Decimal(1), ROUND_HALF_UP):,} yuan"


def km_text(row: RoadClassRow) -> str:
    """Kilometres to one decimal, always (261.0公里, 8.5公里, 9.0公里 beside 27.2公里)."""
    return f"{row.km.quantize(Decimal('0.1'), ROUND_HALF_UP):f}"


def scope_word_zh(name: str, level: JurisdictionLevel) -> str:
    """全市 / 全区 / 全县 / 全省 from the division's own name (原平市 is a county-level 市: 全市)."""
    if level is JurisdictionLevel.NATIONAL:
        return "全国"
    for suffix, word in _SCOPE_WORDS:
        if name.endswith(suffix):
            return word
    return _LEVEL_WORDS[level]


def _years(report: CompletionReport, sep: str) -> str:
    years = report.period.years
    return str(years[0]) if len(years) == 1 else f"{years[0]}{sep}{years[-1]}"


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count:,} {noun if count == 1 else (plural or noun + 's')}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _road_rows(report: CompletionReport) -> list[RoadClassRow]:
    rows = [r for r in report.road_classes if r.completed]
    return sorted(rows, key=lambda r: _ROAD_ORDER.get(r.road_class, len(_ROAD_ORDER)))


# ---- the paragraphs ----------------------------------------------------------------------------
#
# The year-end style of the source reports: "2024年，全市全年共完成……治理100处，较2023年增加12处，增长13.6%。
# 其中……。2024年度清单内隐患96处，截至……已完成治理89处，治理率92.7%……；按期完成78处（其中提前完成38处）；
# 尚未完成7处，其中逾期3处。……全年投入治理资金2462万余元。" The period's completions (whatever the batch
# year) and the list's completion are two named figures; 提前 is a part of 按期; 投入 is money spent in the
# period (never 累计, which would be a cumulative figure); lengths to one decimal.

def period_word_zh(period: Period, as_of: date | None = None) -> str:
    """The word that names the period inside the paragraph: 全年, 一季度, 上半年, 5月, 期内 (a date range);
    while the period runs (judged at `as_of`, before its end) 年内 for a year and 期内 otherwise, since
    全年 or 四季度 would claim the whole of it."""
    if as_of is not None and as_of < period.end:
        return "年内" if period.kind == "year" else "期内"
    if period.kind == "year":
        return "全年"
    if period.kind == "quarter":
        return _QUARTER_WORDS[(period.start.month - 1) // 3 + 1]
    if period.kind == "half":
        return HALVES_ZH[1 if period.start.month == 1 else 2]
    if period.kind == "month":
        return f"{period.start.month}月"
    return "期内"


def _lead_zh(period: Period) -> str:
    return period.label_zh if period.kind == "range" else f"{period.start.year}年"


def paragraph_zh(report: CompletionReport) -> str:
    """e.g. 2024年，全市全年共完成道路交通安全隐患治理100处，其中部省级督办点段68处、市级督办5处……"""
    lv = {row.key: row.counts for row in report.levels}
    word = period_word_zh(report.period, report.as_of)
    where = f"{_lead_zh(report.period)}，{scope_word_zh(report.jurisdiction_name, report.jurisdiction_level)}{word}"
    what = _FILTER_ZH.get(report.level_filter, "") + SUBJECT_ZH
    done = lv["total"].completed
    change = _completed_change_zh(report)
    if not done:
        sentences = [f"{where}暂无完成治理的{what}" + (f"，{change}" if change else "") + "。"]
    else:
        parts = [] if report.level_filter else [
            f"{name}{lv[key].completed}处" for key, name in
            (("ministry_province", "部省级督办"), ("city", "市级督办"), ("county", "县级督办"), ("none", "未挂牌"))
            if lv[key].completed
        ]
        if parts:  # the first bucket names what is counted, as the seed does: 部省级督办点段68处、市级督办5处
            parts[0] = re.sub(r"^(\D+)", r"\1点段", parts[0])
        dynamic = f"动态新增{lv['dynamic'].completed}处" if lv["dynamic"].completed else ""
        detail = "、".join(parts) + ("，" if parts and dynamic else "") + dynamic
        head = f"{where}共完成{what}治理{done}处"
        if change:
            sentences = [f"{head}，{change}。" + (f"其中{detail}。" if detail else "")]
        else:
            sentences = [head + (f"，其中{detail}" if detail else "") + "。"]
    sentences.append(_list_zh(report, lv["annual"], what))
    if lv["dynamic"].total:
        total = lv["total"]
        sentences.append(f"计入动态新增{lv['dynamic'].total}处后，清单内隐患共{total.total}处，"
                         f"已完成治理{total.closed}处，治理率{rate_text(total)}。")
    roads = _road_rows(report)
    if roads:
        sentences.append(f"{word}完成治理的隐患中，" + "、".join(_road_zh(r) for r in roads) + "。")
    spent = report.total.money.yuan(FundingKind.SPENDING)
    if spent:
        sentences.append(f"{word}投入治理资金{wan_zh(spent)}" + _spent_change_zh(report, spent) + "。")
    sentences.append(supervision_zh(report))
    return "".join(sentences)


def _list_zh(report: CompletionReport, annual: Counts, what: str) -> str:
    head = f"{_years(report, '—')}年度清单内"
    if not annual.total:
        return f"{head}暂无{what}。"
    text = (f"{head}隐患{annual.total}处，截至{zh_date(report.as_of)}已完成治理{annual.closed}处，"
            f"治理率{rate_text(annual)}" + _rate_change_zh(report))
    if annual.on_time:
        text += f"；按期完成{annual.on_time}处" + (f"（其中提前完成{annual.ahead}处）" if annual.ahead else "")
    if annual.open:
        text += f"；尚未完成{annual.open}处" + (f"，其中逾期{annual.overdue}处" if annual.overdue else "，均未逾期")
    return text + "。"


def _road_zh(row: RoadClassRow) -> str:
    """国道5条39处（路段27.2公里）; 其他道路3处."""
    return (row.label("zh") + (f"{row.roads}条" if row.roads else "") + f"{row.completed}处"
            + (f"（路段{km_text(row)}公里）" if row.metres > 0 else ""))


# ---- the previous period in words (同比 / 环比) ------------------------------------------------

def _versus_zh(report: CompletionReport) -> tuple[str, str]:
    """How the paragraph names the previous period: ('较2023年', '与上年持平'), ('较上季度', '与上季度持平')…"""
    period, before = report.period, report.previous.period
    cut = "同期" if before.kind == "range" and period.kind != "range" else ""
    if period.kind == "year":
        return (f"较上年{cut}" if cut else f"较{before.start.year}年"), f"与上年{cut}持平"
    if period.kind == "half":
        name = "上半年" if before.start.year == period.start.year else "上年下半年"
    else:
        name = {"quarter": "上季度", "month": "上月"}.get(period.kind, "上期")
    return f"较{name}{cut}", f"与{name}{cut}持平"


def change_zh(now, before, unit: str, versus: str, flat: str, amount=str) -> str:
    """较2023年增加12处，增长13.6% / 较上季度减少3处，下降20% / 与上年持平; no percentage from zero."""
    diff = now - before
    if not diff:
        return flat
    text = f"{versus}{'增加' if diff > 0 else '减少'}{amount(abs(diff))}{unit}"
    if before:
        text += f"，{'增长' if diff > 0 else '下降'}{percent(abs(diff), before)}"
    return text


def _completed_change_zh(report: CompletionReport) -> str:
    if report.previous is None:
        return ""
    return change_zh(report.total.counts.completed, report.previous.total.counts.completed, "处", *_versus_zh(report))


def _rate_change_zh(report: CompletionReport) -> str:
    """，较2023年提高1.2个百分点 (the difference of the two rates as printed); nothing without two lists."""
    points = _rate_points(report)
    if points is None:
        return ""
    versus, flat = _versus_zh(report)
    if not points:
        return f"，{flat}"
    return f"，{versus}{'提高' if points > 0 else '降低'}{points_text(points)}个百分点"


def _spent_change_zh(report: CompletionReport, spent: Decimal) -> str:
    before = report.previous.total.money.yuan(FundingKind.SPENDING) if report.previous else Decimal(0)
    if not before:
        return ""
    return "，" + change_zh(spent, before, "", *_versus_zh(report), amount=wan_zh)


def _rate_points(report: CompletionReport) -> Decimal | None:
    """This period's list rate minus the previous one's, in percentage points to one decimal, as printed."""
    if report.previous is None:
        return None
    now, before = report.level("annual").counts, report.previous.level("annual").counts
    if not (now.total and before.total):
        return None
    return _rate_value(now) - _rate_value(before)


def points_text(points: Decimal) -> str:
    """The size of a change of rate in percentage points as the rates are written: 2.9, 40 (not 40.0)."""
    text = f"{abs(points):f}"
    return text[:-2] if text.endswith(".0") else text


def _rate_value(counts: Counts) -> Decimal:
    return (Decimal(counts.closed) * 100 / Decimal(counts.total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# ---- English ---------------------------------------------------------------------------------------

def paragraph_en(report: CompletionReport) -> str:
    """The same paragraph in English, for readers outside the bureau."""
    lv = {row.key: row.counts for row in report.levels}
    when = _when_en(report)
    kind = (_FILTER_EN[report.level_filter] + " ") if report.level_filter else ""
    done = lv["total"].completed
    if not done:
        sentences = [f"{when}, no {kind}road traffic-safety hazard was remediated across {report.jurisdiction_name_en}."]
    else:
        parts = [] if report.level_filter else [
            f"{lv[key].completed:,} at {name} level" for key, name in
            (("ministry_province", "ministry or province"), ("city", "city"), ("county", "county")) if lv[key].completed
        ] + ([f"{lv['none'].completed:,} not listed for supervision"] if lv["none"].completed and not report.level_filter
             else [])
        if parts and " at " in parts[0]:
            parts[0] = parts[0].replace(" at ", " supervised at ", 1)
        if lv["dynamic"].completed:
            parts.append(_n(lv["dynamic"].completed, "dynamic addition"))
        verb = "was" if done == 1 else "were"
        sentences = [f"{when}, {done:,} {kind}road traffic-safety {'hazard' if done == 1 else 'hazards'} {verb} "
                     f"remediated across {report.jurisdiction_name_en}" + (f": {_and(parts)}" if parts else "") + "."]
    if report.previous is not None:
        sentences.append(_completed_change_en(report))
    sentences.append(_list_en(report, lv["annual"], kind))
    if lv["dynamic"].total:
        total = lv["total"]
        sentences.append(f"Including {_n(lv['dynamic'].total, 'dynamic addition')}, {total.closed:,} of "
                         f"{total.total:,} have been remediated (completion rate {rate_text(total)}).")
    roads = _road_rows(report)
    if roads:
        sentences.append("Roads treated: " + "; ".join(_road_en(r) for r in roads) + ".")
    spent = report.total.money.yuan(FundingKind.SPENDING)
    if spent:
        sentences.append(f"Funding spent: {yuan_en(spent)}" + _spent_change_en(report, spent) + ".")
    sentences.append(supervision_en(report))
    return " ".join(s for s in sentences if s)


def _list_en(report: CompletionReport, annual: Counts, kind: str) -> str:
    lists = f"the {_years(report, '–')} " + ("list" if len(report.period.years) == 1 else "lists")
    if not annual.total:
        return f"There were no {kind}hazards on {lists}."
    text = (f"Of the {_n(annual.total, kind + 'hazard')} on {lists}, {annual.closed:,} had been remediated by "
            f"{en_date(report.as_of)} (completion rate {rate_text(annual)}{_rate_change_en(report)})")
    if annual.on_time:
        text += f"; {annual.on_time:,} {'was' if annual.on_time == 1 else 'were'} completed on time" + (
            f" ({annual.ahead:,} of them ahead of the deadline)" if annual.ahead else "")
    if annual.open:
        verb = "remains" if annual.open == 1 else "remain"
        text += f"; {annual.open:,} {verb} open" + (f", {annual.overdue:,} of them overdue" if annual.overdue
                                                    else ", none overdue")
    return text + "."


def _road_en(row: RoadClassRow) -> str:
    noun = row.label("en").lower() if row.road_class else "other road"
    text = _n(row.completed, "hazard") + " on " + (_n(row.roads, noun) if row.roads else noun + "s")
    return text + (f" ({km_text(row)} km of sections)" if row.metres > 0 else "")


def _when_en(report: CompletionReport) -> str:
    period = report.period
    if period.kind == "range":
        return "From " + period.label_en
    so_far = " to date" if report.as_of < period.end else ""
    if period.kind == "half":
        return f"In the {HALVES_EN[1 if period.start.month == 1 else 2]} of {period.start.year}{so_far}"
    return "In " + period.label_en + so_far


def _previous_en(report: CompletionReport) -> str:
    """The previous period as a noun: '2023', 'the same part of 2023', 'the previous quarter'…"""
    period, before = report.period, report.previous.period
    if period.kind == "year":
        year = before.start.year
        return f"the same part of {year}" if before.kind == "range" else str(year)
    if period.kind == "range":
        return "the preceding period of the same length"
    name = {"quarter": "quarter", "month": "month", "half": "half-year"}[period.kind]
    return f"the same part of the previous {name}" if before.kind == "range" else f"the previous {name}"


def _completed_change_en(report: CompletionReport) -> str:
    now, before = report.total.counts.completed, report.previous.total.counts.completed
    than = _previous_en(report)
    if now == before:
        return f"That is as many as in {than}."
    diff = abs(now - before)
    text = f"That is {diff:,} {'more' if now > before else 'fewer'} than in {than}"
    return text + (f" ({'up' if now > before else 'down'} {percent(diff, before)})." if before else ".")


def _rate_change_en(report: CompletionReport) -> str:
    points = _rate_points(report)
    if points is None:
        return ""
    than = _previous_en(report)
    if not points:
        return f", unchanged from {than}"
    return f", {'up' if points > 0 else 'down'} {points_text(points)} percentage points on {than}"


def _spent_change_en(report: CompletionReport, spent: Decimal) -> str:
    before = report.previous.total.money.yuan(FundingKind.SPENDING) if report.previous else Decimal(0)
    if not before:
        return ""
    than = _previous_en(report)
    if spent == before:
        return f", as much as in {than}"
    diff = abs(spent - before)
    return (f", {yuan_en(diff)} {'more' if spent > before else 'less'} than in {than} "
            f"({'up' if spent > before else 'down'} {percent(diff, before)})")


# ---- the supervision sentence ------------------------------------------------------------------

_LEVEL_ZH = {"ministry": "部级", "province": "省级", "city": "市级", "county": "县级"}


def _within_zh(report: CompletionReport) -> str:
    period = report.period
    if period.kind == "year":
        return "全年"
    if period.kind == "half":
        return HALVES_ZH[1 if period.start.month == 1 else 2]
    return {"quarter": "本季度", "month": "当月"}.get(period.kind, "期内")


def supervision_zh(report: CompletionReport) -> str:
    """督办工作 in one sentence, parts that are zero left out; '' when there was none. e.g.
    全年挂牌督办隐患12处（其中省级2处、市级5处、县级5处），通报3次、约谈2次（涉及2个责任单位），
    批准延期2处、不予延期1处，开展回头看4处、重新整改1处。"""
    s = report.supervision
    groups = []
    if s.listed_total:
        levels = [(_LEVEL_ZH[lv.value], s.listed_at(lv)) for lv in LISTING_LEVELS if s.listed_at(lv)]
        detail = (f"（均为{levels[0][0]}）" if len(levels) == 1 else
                  "（其中" + "、".join(f"{name}{n}处" for name, n in levels) + "）") if levels else ""
        groups.append(f"挂牌督办隐患{s.listed_total}处{detail}")
    if s.raised:
        groups.append(f"提级督办{s.raised}处")
    held = [f"{word}{n}次" for word, n in (("通报", s.notices), ("约谈", s.summons), ("问责", s.accountability)) if n]
    groups.append("、".join(held) + (f"（涉及{s.units_concerned}个责任单位）" if held and s.units_concerned else ""))
    groups.append("、".join(f"{word}{n}处" for word, n in (("批准延期", s.extensions_granted),
                                                         ("不予延期", s.extensions_refused)) if n))
    groups.append("、".join(f"{word}{n}处" for word, n in (("开展回头看", s.lookbacks), ("重新整改", s.reopened)) if n))
    if s.escalations:
        groups.append(f"逾期提醒升级上报{s.escalations}处")
    groups = [g for g in groups if g]
    return f"{_within_zh(report)}{'，'.join(groups)}。" if groups else ""


def supervision_en(report: CompletionReport) -> str:
    """The supervision sentence in English; '' when there was none."""
    s = report.supervision
    parts = []
    if s.listed_total:
        levels = [f"{s.listed_at(lv):,} {lv.value}" for lv in LISTING_LEVELS if s.listed_at(lv)]
        parts.append(_n(s.listed_total, "hazard") + " listed for supervision" +
                     (f" ({_and(levels)} level)" if levels else ""))
    if s.raised:
        parts.append(f"{s.raised:,} raised to a higher level")
    held = [_n(n, noun, plural) for n, noun, plural in ((s.notices, "public notice", None),
                                                         (s.summons, "summons", "summonses"),
                                                         (s.accountability, "accountability action", None)) if n]
    if held:
        parts.append(_and(held) + (f" (concerning {_n(s.units_concerned, 'responsible unit')})"
                                   if s.units_concerned else ""))
    if s.extensions_granted or s.extensions_refused:
        decided = [f"granted for {_n(s.extensions_granted, 'hazard')}" if s.extensions_granted else "",
                   f"refused for {_n(s.extensions_refused, 'hazard')}" if s.extensions_refused else ""]
        parts.append("extensions " + " and ".join(d for d in decided if d))
    if s.lookbacks:
        parts.append(f"{_n(s.lookbacks, 'hazard')} looked back at")
    if s.reopened:
        parts.append(f"{_n(s.reopened, 'hazard')} reopened for further work")
    if s.escalations:
        parts.append(f"{_n(s.escalations, 'overdue hazard')} escalated by the reminders")
    if not parts:
        return ""
    within = {"year": "the year", "quarter": "the quarter", "month": "the month", "half": "the half-year"}
    return f"Supervision work in {within.get(report.period.kind, 'the period')}: " + "; ".join(parts) + "."


# ---- the remediation effect (治理成效) -------------------------------------------------------------
#
# "治理后12个月内事故3起，较治理前8起下降62.5%": the hazards completed in the period whose after-window
# has run its length, summed; a rise says 增加, no percentage from zero, equal numbers say 持平.

def effect_zh(report: CompletionReport) -> str:
    """The section's sentence; '' without the section."""
    effect = report.effect
    if effect is None:
        return ""
    m, t = effect.months, effect.totals
    if not t.complete:
        return f"期内完成治理的隐患{t.incomplete}处治理后均未满{m}个月，暂不作治理前后对比。"
    crashes = t.change("crashes")
    if crashes.diff == 0:
        versus = f"与治理前持平（{crashes.before}起）"
    elif not crashes.before:
        versus = f"较治理前0起增加{crashes.after}起"
    else:
        versus = f"较治理前{crashes.before}起{'增加' if crashes.diff > 0 else '下降'}{percent(abs(crashes.diff), crashes.before)}"
    text = (f"期内完成治理的隐患中，{t.complete}处治理后已满{m}个月：治理后{m}个月内事故{crashes.after}起，{versus}；"
            f"死亡{t.after.deaths}人（治理前{t.before.deaths}人），受伤{t.after.injuries}人（治理前{t.before.injuries}人）。")
    if t.during.crashes:
        text += f"施工期间事故{t.during.crashes}起，不计入前后对比。"
    if t.incomplete:
        text += f"另有{t.incomplete}处治理后未满{m}个月，未计入对比。"
    return text


def effect_en(report: CompletionReport) -> str:
    effect = report.effect
    if effect is None:
        return ""
    m, t = effect.months, effect.totals
    if not t.complete:
        return (f"None of the {_n(t.incomplete, 'hazard')} completed in the period has had {m} months since its "
                "works ended: no before-and-after comparison yet.")
    crashes = t.change("crashes")
    if crashes.diff == 0:
        versus = f"as many as the {crashes.before:,} in the {m} months before"
    elif not crashes.before:
        versus = f"up from none in the {m} months before"
    else:
        versus = (f"{'up' if crashes.diff > 0 else 'down'} {percent(abs(crashes.diff), crashes.before)} from "
                  f"{crashes.before:,} in the {m} months before")
    have = "has" if t.complete == 1 else "have"
    text = (f"Of the hazards completed in the period, {t.complete:,} {have} had {m} months since the works ended: "
            f"{_n(crashes.after, 'crash', 'crashes')} in the {m} months after the works, {versus}; "
            f"{_n(t.after.deaths, 'death')} ({t.before.deaths:,} before) and "
            f"{_n(t.after.injuries, 'injury', 'injuries')} ({t.before.injuries:,} before).")
    if t.during.crashes:
        text += f" {_n(t.during.crashes, 'crash', 'crashes')} during the works are not compared."
    if t.incomplete:
        text += f" {t.incomplete:,} more, closed less than {m} months ago, {'is' if t.incomplete == 1 else 'are'} " \
                "not compared yet."
    return text


EFFECT_CAVEAT_ZH = ("需要说明：治理点段往往是在事故偏多的一段时间之后才被选定治理的，即使不治理，事故也常会自然回落"
                    "（统计上称为“回归均值”），因此治理后事故减少，其中一部分本来就会发生。治理前后对比不能证明治理成效，仅供参考。")
EFFECT_CAVEAT_EN = ("Please note: places are often chosen for remediation right after a bad spell of crashes, and "
                    "crashes tend to fall back afterwards even without any works (regression to the mean), so some of "
                    "any fall would have come anyway. The before-and-after comparison is not proof that the works "
                    "had an effect.")


def effect_caveat(lang: str) -> str:
    return EFFECT_CAVEAT_EN if lang == "en" else EFFECT_CAVEAT_ZH


def effect_basis(report: CompletionReport, lang: str) -> str:
    """How the numbers were counted, in one note (the definitions of docs/crashes.md)."""
    m, buffer = report.effect.months, report.effect.buffer_m
    if lang == "en":
        return (f"Definitions: hazards completed (closed) in the period. Before = the {m} months up to the day before "
                f"works started; after = the {m} months from the day after works ended; crashes during the works are "
                "counted in neither. Works started on the first day the hazard was in remediation (else the planned "
                "start, else the listing day) and ended on the completion day (else the closing day). Crashes within "
                f"{buffer} m of the hazard's point or section, or on its road within {buffer} m of its stakes, "
                "whichever division recorded them. The totals hold only hazards whose after-window has run its full "
                "length; the table lists the hazards with crashes in their windows.")
    return (f"口径：统计期内完成治理（销号）的隐患。治理前为开工前{m}个月（至开工前一日），治理后为完工次日起{m}个月；"
            "施工期间的事故不计入前后对比。开工日期取首次转为“整改中”的日期（无则取计划开工日期、挂牌日期），"
            f"完工日期取完工日期（无则取销号日期）。事故位置：隐患点位或路段{buffer}米范围内，或同一道路上起止桩号前后"
            f"{buffer}米内，不论事故由哪个辖区记录。合计仅含治理后已满{m}个月的隐患；明细表列出前后有事故的隐患。")
