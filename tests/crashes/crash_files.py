"""Generated crash exports, laid out as the traffic police's crash systems write them.

`write_crash_file(path, rows)` writes a list of dicts (keys: the Chinese headers, 事故编号, 事故时间, 经度,
…) as CSV in UTF-8 (with the BOM Excel writes) or GBK, or as XLSX, chosen by `fmt` / the suffix; the
header row is the union of the rows' keys in first-seen order, or `headers` when given. `crash_row`
makes one row with sensible defaults, and `planted(...)` many along a road or around a point, so
other tests (identification, remediation effect) can build "a generated crash file" in a line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HEADERS = ("事故编号", "事故时间", "经度", "纬度", "坐标系", "路线编号", "桩号", "行政区划", "死亡人数", "受伤人数",
           "事故形态")
#: A point in 忻府区 (the tests' county), WGS-84.
XINFU_POINT = (112.7340, 38.4170)


def crash_row(source_id: str, when: datetime | str = "2024-03-01 14:30", **columns: Any) -> dict[str, Any]:
    """One row: 事故编号 and 事故时间 (Beijing time), plus any other columns by their Chinese header;
    without a location it gets the Xinfu point."""
    row: dict[str, Any] = {"事故编号": source_id,
                           "事故时间": when.strftime("%Y-%m-%d %H:%M") if isinstance(when, datetime) else when}
    if not ({"经度", "纬度", "路线编号"} & columns.keys()):
        row["经度"], row["纬度"] = XINFU_POINT
    row.update({"死亡人数": 0, "受伤人数": 0, "事故形态": "追尾"})
    row.update(columns)
    return row


def planted(prefix: str, count: int, *, start: datetime, every: timedelta = timedelta(days=7),
            route: str | None = None, stake_m: int | None = None, stake_step_m: int = 0,
            lonlat: tuple[float, float] | None = None, step_deg: float = 0.0, **columns: Any) -> list[dict]:
    """`count` crashes numbered `prefix-001…`: along a road from `stake_m` by `stake_step_m`, or from a
    point by `step_deg` east; one every `every` from `start`."""
    rows = []
    for i in range(count):
        place: dict[str, Any] = {}
        if route is not None:
            place.update({"路线编号": route, "桩号": f"K{(stake_m + i * stake_step_m) // 1000}+"
                                                   f"{(stake_m + i * stake_step_m) % 1000:03d}"})
        if lonlat is not None:
            place.update({"经度": round(lonlat[0] + i * step_deg, 7), "纬度": lonlat[1]})
        rows.append(crash_row(f"{prefix}-{i + 1:03d}", start + i * every, **place, **columns))
    return rows


def write_crash_file(path: str | Path, rows: Iterable[dict], *, fmt: str | None = None, encoding: str = "utf-8-sig",
                     headers: Iterable[str] | None = None, title: str | None = None) -> Path:
    """Write the rows as a crash export; `fmt` 'csv' or 'xlsx' (default: from the suffix). CSV in
    `encoding` ('utf-8-sig', 'utf-8', 'gbk'); `title` puts a title row above the header, as exports do."""
    path = Path(path)
    rows = list(rows)
    fmt = fmt or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
    names = list(headers) if headers is not None else list(dict.fromkeys(k for row in rows for k in row))
    table = [[row.get(name) for name in names] for row in rows]
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "事故数据"
        if title:
            sheet.append([title])
        sheet.append(names)
        for cells in table:
            sheet.append(cells)
        workbook.save(path)
        return path
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        if title:
            writer.writerow([title])
        writer.writerow(names)
        writer.writerows([["" if v is None else v for v in cells] for cells in table])
    return path
