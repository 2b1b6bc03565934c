"""Reference data every ledger needs: the divisions, hazard categories and remediation measures.

Seeding is idempotent. The divisions come from the national registry (`division_registry`), whose
names and levels win over what the table holds; category and measure rows that exist are left as
they are (an administrator may have renamed or reordered them), missing ones are added.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hazards.models import Category, Jurisdiction, Measure, Organization
from hazards.services.division_registry import RegistryLoad, load_registry

# (code, 中文, English): the categories the source reports and public practice use.
CATEGORIES: list[tuple[str, str, str]] = [
    ("sharp_curve", "急弯", "Sharp curve"),
    ("continuous_curves", "连续急弯", "Continuous sharp curves"),
    ("steep_grade", "陡坡", "Steep grade"),
    ("long_downgrade", "长下坡", "Long downgrade"),
    ("roadside_danger", "临水临崖", "Roadside water or cliff"),
    ("poor_sight", "视距不良", "Poor sight distance"),
    ("junction", "平交路口", "Uncontrolled junction"),
    ("through_village", "穿村过镇", "Through a village or town"),
    ("median_opening", "中央分隔带开口", "Median opening"),
    ("missing_signs", "缺标志标线", "Missing signs or markings"),
    ("missing_guardrail", "缺护栏", "Missing guardrail"),
    ("poor_lighting", "照明不良", "Poor lighting"),
    ("weather", "积水结冰团雾", "Water, ice or fog"),
    ("bridge_tunnel", "桥梁隧道", "Bridge or tunnel"),
    ("work_zone", "施工路段", "Work zone"),
    ("school_area", "学校周边", "School area"),
    ("crash_prone", "事故多发", "Crash-prone"),
    ("other", "其他", "Other"),
]

MEASURES: list[tuple[str, str, str]] = [
    ("alignment", "线形改造", "Alignment works"),
    ("slope_roadside", "边坡路侧整治", "Slope and roadside works"),
    ("signs_markings", "标志标线", "Signs and markings"),
    ("junction_works", "路口渠化", "Junction works"),
    ("guardrail", "护栏", "Guardrails"),
    ("warning_devices", "警示诱导设施", "Warning and guidance devices"),
    ("five_small", "五小工程", "Five small works (bumps, signs, mirrors, posts, lights)"),
    ("speed_camera", "测速监控", "Speed cameras"),
    ("signal_timing", "信号配时", "Signal timing"),
    ("lighting", "照明设施", "Lighting"),
    ("other", "其他", "Other"),
]


@dataclass(frozen=True)
class ReferenceLoad:
    divisions: RegistryLoad
    categories_added: int
    measures_added: int


def ensure_reference_data(session: Session) -> ReferenceLoad:
    """Load the division registry and add whatever vocabulary rows are missing; the caller commits."""
    divisions = load_registry(session)
    added = []
    for model, rows in ((Category, CATEGORIES), (Measure, MEASURES)):
        have = set(session.scalars(select(model.code)))
        missing = [model(code=code, name_zh=zh, name_en=en, sort_order=order)
                   for order, (code, zh, en) in enumerate(rows) if code not in have]
        session.add_all(missing)
        added.append(len(missing))
    session.flush()
    return ReferenceLoad(divisions, *added)


class ReferenceData:
    """Division codes and vocabularies, loaded once per batch so checking a row needs no query."""

    def __init__(self, session: Session):
        divisions = session.execute(select(Jurisdiction.code, Jurisdiction.active)).all()
        self.jurisdictions: set[str] = {code for code, _ in divisions}
        # Kept so old hazards resolve, but taking no new reports (see the registry's loading).
        self.retired_jurisdictions: set[str] = {code for code, active in divisions if not active}
        self.category_ids: dict[str, int] = dict(session.execute(select(Category.code, Category.id)).all())
        self.measure_ids: dict[str, int] = dict(session.execute(select(Measure.code, Measure.id)).all())
        # Chinese and English names resolve to codes too: users type 急弯, not sharp_curve.
        self.category_codes = _names_to_codes(session, Category)
        self.measure_codes = _names_to_codes(session, Measure)
        self.organizations: dict[tuple[str, str], int] = {
            (name, code): oid for oid, name, code in session.execute(
                select(Organization.id, Organization.name, Organization.jurisdiction_code)
            )
        }
        # (name, divisions the hazard may name units of) -> the unit it resolved to
        self.organization_cache: dict[tuple[str, tuple[str, ...]], int] = {}


def _names_to_codes(session: Session, model) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, zh, en in session.execute(select(model.code, model.name_zh, model.name_en)):
        for spelling in (code, zh, en):
            table[spelling.strip().casefold()] = code
    return table
