"""CLI command `hazards seed-demo`: fill the database with the demo city and print how to log in.

`make run` calls it with `--if-empty`, so a second run keeps whatever the ledger holds.
"""

from __future__ import annotations

import unicodedata

import click
from sqlalchemy import func, select

from hazards.db import get_session
from hazards.demo.ledger import DEFAULT_SEED, DemoSummary, seed_demo
from hazards.demo.people import DEMO_PASSWORD
from hazards.domain.enums import Role, Status, SupervisionLevel
from hazards.domain.labels import label
from hazards.models import Hazard


@click.command("seed-demo")
@click.option("--hazards", "count", default=400, show_default=True, type=click.IntRange(0, 100_000),
              help="How many demo hazards to write.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the ledger already holds hazards.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, type=int,
              help="Random seed: the same seed (and day) gives the same ledger.")
def seed_demo_command(count: int, if_empty: bool, seed: int) -> None:
    """Fill the database with the demo ledger (Xinzhou, 忻州市) and print the demo logins."""
    session = get_session()
    existing = session.scalar(select(func.count(Hazard.id)))
    if if_empty and existing:
        click.echo(f"台账已有 {existing} 条隐患，不再生成演示数据。")
        click.echo(f"The ledger already has {existing} hazards; no demo data added.")
        return
    from hazards.storage import current_store

    summary = seed_demo(session, hazards=count, seed=seed, store=current_store())
    session.commit()
    from geo.engine import refresh_statistics

    refresh_statistics(session.connection())
    session.commit()
    click.echo(render_summary(summary))


def render_summary(summary: DemoSummary) -> str:
    """The seeding report and the logins table, in Chinese and English."""
    lines = [
        f"已生成演示数据：{summary.hazards} 条隐患（台账共 {summary.ledger_total} 条），用时 {summary.seconds:.1f} 秒。",
        f"Demo ledger seeded: {summary.hazards} hazards ({summary.ledger_total} in the ledger) "
        f"in {summary.seconds:.1f} s.",
        "  按状态 / by status: " + _counts(summary.by_status, Status),
        "  按督办级别 / by level: " + _counts(summary.by_level, SupervisionLevel),
        "  按批次 / by batch year: " + ", ".join(f"{year}: {n}" for year, n in summary.by_year.items()),
        "",
        f"演示账号（密码均为 {DEMO_PASSWORD}） / Demo logins (every password is {DEMO_PASSWORD}):",
    ]
    rows = [("登录名 login", "密码 password", "角色 role", "辖区 jurisdiction")]
    for login in summary.logins:
        if login.featured:
            language = "，English UI" if login.language == "en" else ""
            rows.append((login.login, login.password, f"{label(login.role)} {login.role.value}",
                         f"{login.jurisdiction_code} {login.jurisdiction_name}{language}"))
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        lines.append("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    example = next((l for l in summary.logins if not l.featured and l.role is Role.SUPERVISOR), None)
    if example:
        inspector = f"{example.login}-inspector"
        lines += [
            f"每个县（市、区）另有督办账号（如 {example.login}）和排查账号（如 {inspector}），密码相同。",
            f"Every county also has a supervisor (e.g. {example.login}) and an inspector (e.g. {inspector}), "
            "same password.",
        ]
    return "\n".join(lines)


def _counts(counts: dict[str, int], enum_cls) -> str:
    return ", ".join(f"{label(m)} {m.value} {counts[m.value]}" for m in enum_cls if counts.get(m.value))


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
