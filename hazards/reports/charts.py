"""Inline SVG charts and map for the report, drawn in Python: the intranet has no chart library or CDN,
and the same markup prints in the browser and in WeasyPrint's PDF."""

from __future__ import annotations

import math
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from shapely.geometry import MultiPolygon, Point, Polygon

from hazards.reports.build import CompletionReport, Counts
from hazards.reports.layout import text_em
from hazards.reports.period import MONTHS_EN
from hazards.reports.wording import rate_text, wan

FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif"
CLOSED, OPEN, OVERDUE, INK, MUTED, BRAND = "#1e7b34", "#c9d3dd", "#b3261e", "#1d2733", "#5b6875", "#16406b"
LABEL = "#2e3a46"  # map names: darker than MUTED, read over dots
WIDTH = 680
_WORDS = {
    "closed": ("已完成", "Closed"), "open": ("未完成", "Open"), "overdue": ("逾期", "Overdue"),
    "levels": ("按督办级别：清单内隐患完成情况", "By supervision level: hazards on the list"),
    "units": ("下级辖区治理率（年度清单）", "Completion rate by subordinate division (annual list)"),
    "unranked": ("灰色：清单内隐患不足{n}处，不参与排名", "Grey: fewer than {n} listed hazards, not ranked"),
    "map": ("下级辖区与逾期隐患", "Subordinate divisions and overdue hazards"),
    "dots": ("红点：逾期未完成隐患（{n}处）", "Red dots: overdue hazards ({n})"),
    "trend": ("历年治理情况", "Year by year"),
    "trend_rate": ("年度清单治理率", "Completion rate on each year's list"),
    "trend_spent": ("当年支出（万元）", "Spent in the year (10,000 yuan)"),
}


def _w(key: str, lang: str, **values) -> str:
    zh, en = _WORDS[key]
    return (en if lang == "en" else zh).format(**values)


def _text(x: float, y: float, text: str, *, size: int = 12, anchor: str = "start", fill: str = INK,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}">{escape(text)}</text>')


def _label(x: float, y: float, text: str, size: int = 11) -> str:
    """A map name readable over outlines and dots: on a light plate, in dark ink (drawn after the dots)."""
    width = text_em(text) * size + 4
    return (f'<rect x="{x - width / 2:.1f}" y="{y - size:.1f}" width="{width:.1f}" height="{size + 4}" rx="2" '
            f'fill="#fff" fill-opacity="0.8"/>' + _text(x, y, text, size=size, anchor="middle", fill=LABEL))


def _label_place(x: float, y: float, text: str, dots: list[tuple[float, float]], inside, size: int = 11
                 ) -> tuple[float, float]:
    """Where a name goes: at its anchor, or moved up or down (then sideways) to a spot inside its division
    where no red dot sits under it; the anchor itself when every spot has one."""
    half_w, gap = text_em(text) * size / 2 + 4, 5

    def clear(cx: float, cy: float) -> bool:
        return all(not (cx - half_w <= dx <= cx + half_w and cy - size - gap <= dy <= cy + gap) for dx, dy in dots)

    steps = [(0, 0), (0, -14), (0, 14), (0, -26), (0, 26), (-24, 0), (24, 0), (-24, -14), (24, 14), (0, -38), (0, 38)]
    for dx, dy in steps:
        if clear(x + dx, y + dy) and inside(x + dx, y + dy):
            return x + dx, y + dy
    return x, y


def _svg(height: float, body: list[str], title: str) -> str:
    # No xmlns: inline in HTML the parser puts <svg> in its namespace, and the page names no URL at all.
    return (f'<svg role="img" aria-label={quoteattr(title)} '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
            f'font-family="{FONT}">' + "".join(body) + "</svg>")


def _legend(y: float, lang: str) -> list[str]:
    items, x = [], 130.0
    for key, colour in (("closed", CLOSED), ("open", OPEN), ("overdue", OVERDUE)):
        items.append(f'<rect x="{x:.0f}" y="{y - 10:.0f}" width="12" height="12" fill="{colour}"/>')
        items.append(_text(x + 16, y, _w(key, lang), size=11))
        x += 90
    return items


def level_chart(report: CompletionReport, lang: str = "zh") -> str:
    """Stacked bars per level (and dynamic additions): closed, open, overdue, with the rate at the end."""
    rows = [r for r in report.levels if r.key in ("ministry", "province", "city", "county", "none", "dynamic")]
    return _stacked(_w("levels", lang), [((r.label_en if lang == "en" else r.label_zh), r.counts, True) for r in rows],
                    lang)


def units_chart(report: CompletionReport, lang: str = "zh") -> str | None:
    """The subordinate units' annual-list bars in ranking order; unranked units drawn grey. None without units."""
    rows = [(u.name_en if lang == "en" else u.name, u.annual, u.rank is not None)
            for u in report.units if u.annual.total]
    if not rows:
        return None
    note = _w("unranked", lang, n=report.min_rank)
    return _stacked(_w("units", lang), rows, lang, note=note)


def _stacked(title: str, rows: list[tuple[str, Counts, bool]], lang: str, note: str | None = None) -> str:
    top, row_h, left, bar_w = 48, 26, 130, 400
    biggest = max([c.total for _n, c, _r in rows] + [1])
    body = [_text(0, 16, title, size=14, weight="bold"), *_legend(36, lang)]
    for i, (name, counts, ranked) in enumerate(rows):
        y = top + i * row_h
        body.append(_text(left - 8, y + 15, name, anchor="end", fill=INK if ranked else MUTED))
        x = float(left)
        overdue, still_open = counts.overdue, counts.open - counts.overdue
        for value, colour in ((counts.closed, CLOSED), (still_open, OPEN), (overdue, OVERDUE)):
            width = bar_w * value / biggest
            if width > 0:
                opacity = "1" if ranked else "0.45"
                body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{row_h - 8}" '
                            f'fill="{colour}" fill-opacity="{opacity}"/>')
                x += width
        body.append(_text(x + 6, y + 15, f"{counts.closed}/{counts.total}  {rate_text(counts)}", size=11,
                          fill=INK if ranked else MUTED))
    height = top + len(rows) * row_h + (22 if note else 6)
    if note:
        body.append(_text(0, height - 6, note, size=11, fill=MUTED))
    return _svg(height, body, title)


def map_svg(report: CompletionReport, lang: str = "zh", height: int = 460) -> str | None:
    """Subordinate boundaries with names, and the overdue hazards as red dots; None when no boundary is stored."""
    shapes = [(b, _polygons(b.geometry)) for b in report.boundaries]
    shapes = [(b, polys) for b, polys in shapes if polys]
    if not shapes:
        return None
    xs = [x for _b, polys in shapes for p in polys for x, _y in p.exterior.coords]
    ys = [y for _b, polys in shapes for p in polys for _x, y in p.exterior.coords]
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    squash = math.cos(math.radians((min_y + max_y) / 2))  # equirectangular, true to scale at mid-latitude
    top, pad = 40, 10
    scale = min((WIDTH - 2 * pad) / max((max_x - min_x) * squash, 1e-9), (height - top - pad) / max(max_y - min_y, 1e-9))

    def project(lon: float, lat: float) -> tuple[float, float]:
        return pad + (lon - min_x) * squash * scale, top + (max_y - lat) * scale

    tolerance = 0.6 / scale  # drop detail finer than about half a pixel: keeps the PDF small
    body = [_text(0, 16, _w("map", lang), size=14, weight="bold")]
    for boundary, polys in shapes:
        path = "".join(_ring_path(ring, project) for p in polys
                       for ring in [p.simplify(tolerance).exterior, *p.simplify(tolerance).interiors])
        name = boundary.name_en if lang == "en" else boundary.name
        body.append(f'<path d="{path}" fill="#eef2f6" stroke="#7d8b99" stroke-width="0.8" fill-rule="evenodd">'
                    f"<title>{escape(name)}</title></path>")
    dots = [item for item in report.overdue if item.lon is not None]
    placed = []
    for item in dots:
        x, y = project(item.lon, item.lat)
        placed.append((x, y))
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{OVERDUE}" stroke="#fff" stroke-width="0.8">'
                    f"<title>{escape(item.code + ' ' + item.title)}</title></circle>")
    for boundary, polys in shapes:  # names last, over every outline and dot, clear of the dots where they can be
        area = MultiPolygon(polys)
        anchor = max(polys, key=lambda p: p.area).representative_point()
        name = boundary.name_en if lang == "en" else boundary.name

        def inside(px: float, py: float, area=area) -> bool:
            return area.contains(Point(min_x + (px - pad) / (squash * scale), max_y - (py - top) / scale))

        body.append(_label(*_label_place(*project(anchor.x, anchor.y), name, placed, inside), name))
    body.append(_text(WIDTH - 4, 16, _w("dots", lang, n=len(dots)), size=11, anchor="end", fill=OVERDUE))
    return _svg(height, body, _w("map", lang))


def _polygons(geometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return []


def _ring_path(ring, project) -> str:
    points = [project(x, y) for x, y in ring.coords]
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z"


def trend_chart(report: CompletionReport, lang: str = "zh") -> str | None:
    """Two panels of bars by batch year: the completion rate on each year's list, and the money spent in
    each year. None with fewer than two years (report.trend is built only for the page and the PDF)."""
    points = report.trend
    if len(points) < 2:
        return None
    panel_w, top, bar_h, gap = (WIDTH - 20) / 2, 44, 150, 20
    body = [_text(0, 16, _w("trend", lang), size=14, weight="bold")]
    biggest = max([p.spent for p in points] + [1])
    panels = (
        (_w("trend_rate", lang), [(p.annual.closed / p.annual.total if p.annual.total else None,
                                   rate_text(p.annual)) for p in points], CLOSED),
        (_w("trend_spent", lang), [(float(p.spent) / float(biggest), wan(p.spent)) for p in points], BRAND),
    )
    for index, (title, values, colour) in enumerate(panels):
        x0 = index * (panel_w + gap)
        body.append(_text(x0, top - 8, title, size=12, fill=MUTED))
        base = top + bar_h + 16
        body.append(f'<line x1="{x0:.1f}" y1="{base:.1f}" x2="{x0 + panel_w:.1f}" y2="{base:.1f}" stroke="{MUTED}" '
                    f'stroke-width="0.8"/>')
        slot = panel_w / len(points)
        width = min(46.0, slot * 0.6)
        for i, (point, (share, text)) in enumerate(zip(points, values)):
            cx = x0 + slot * (i + 0.5)
            if share is not None and share > 0:
                h = bar_h * share
                body.append(f'<rect x="{cx - width / 2:.1f}" y="{base - h:.1f}" width="{width:.1f}" '
                            f'height="{h:.1f}" fill="{colour}"/>')
                body.append(_text(cx, base - h - 4, text, size=11, anchor="middle"))
            else:
                body.append(_text(cx, base - 4, text, size=11, anchor="middle", fill=MUTED))
            body.append(_text(cx, base + 15, str(point.year) if lang == "en" else f"{point.year}年", size=11,
                              anchor="middle"))
            if report.today < date(point.year, 12, 31):
                # A year still running: its figures are so far.
                so_far = (f"to {report.today.day} {MONTHS_EN[report.today.month][:3]}" if lang == "en"
                          else f"截至{report.today.month}月{report.today.day}日")
                body.append(_text(cx, base + 29, so_far, size=10, anchor="middle", fill=MUTED))
    return _svg(top + bar_h + 46, body, _w("trend", lang))
