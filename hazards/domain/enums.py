"""Closed vocabularies of the ledger. Values are stored as their English code; labels live in i18n."""

from __future__ import annotations

import enum


class StrEnum(str, enum.Enum):
    def __str__(self) -> str:
        return self.value

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]


class JurisdictionLevel(StrEnum):
    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class SupervisionLevel(StrEnum):
    """Supervision level (督办级别), highest first; `none` = not listed for supervision."""

    MINISTRY = "ministry"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    NONE = "none"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {
    SupervisionLevel.MINISTRY: 4,
    SupervisionLevel.PROVINCE: 3,
    SupervisionLevel.CITY: 2,
    SupervisionLevel.COUNTY: 1,
    SupervisionLevel.NONE: 0,
}


class Status(StrEnum):
    """Workflow states; overdue is derived from the deadline, never a state."""

    REPORTED = "reported"  # 上报
    VERIFIED = "verified"  # 核实认定
    REJECTED = "rejected"  # 不予认定
    MERGED = "merged"  # 重复, merged into another hazard
    LISTED = "listed"  # 挂牌督办
    ASSIGNED = "assigned"  # 交办 without listing
    PLAN_APPROVED = "plan_approved"  # 方案审定
    IN_REMEDIATION = "in_remediation"  # 整改中
    CLOSURE_REQUESTED = "closure_requested"  # 申请销号
    CLOSED = "closed"  # 销号

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STATUSES


CLOSED_STATUSES = frozenset({Status.CLOSED, Status.REJECTED, Status.MERGED})
#: Statuses that count as a real hazard in reports (rejected and merged ones do not).
COUNTED_STATUSES = frozenset(Status) - {Status.REJECTED, Status.MERGED}


class RoadClass(StrEnum):
    """Road administrative class, from the route code's letter."""

    NATIONAL = "G"
    PROVINCIAL = "S"
    COUNTY = "X"
    TOWNSHIP = "Y"
    VILLAGE = "C"
    SPECIAL = "Z"
    URBAN = "urban"


class Source(StrEnum):
    PATROL = "patrol"  # 巡查
    CRASH_REVIEW = "crash_review"  # 事故倒查
    PUBLIC = "public"  # 群众举报
    THIRD_PARTY = "third_party"  # 第三方排查
    ASSIGNED = "assigned"  # 上级交办
    OTHER = "other"


class CrashLink(StrEnum):
    EVIDENCE = "evidence"  # the hazard was registered from these crashes (事故倒查)
    COVERED = "covered"  # a supervisor found the place already covered by this hazard


class Direction(StrEnum):
    UP = "up"  # 上行
    DOWN = "down"  # 下行
    BOTH = "both"  # 双向


class RiskGrade(StrEnum):
    MAJOR = "major"  # 重大
    HIGH = "high"  # 较大
    GENERAL = "general"  # 一般


class FundingKind(StrEnum):
    BUDGET = "budget"  # 预算
    ALLOCATION = "allocation"  # 到位/下达
    SPENDING = "spending"  # 支出


class FundingSource(StrEnum):
    CENTRAL = "central"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    OTHER = "other"


class Role(StrEnum):
    INSPECTOR = "inspector"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class OrganizationKind(StrEnum):
    POLICE = "police"  # 交警大队/中队
    RESPONSIBLE = "responsible"  # 责任单位: 交通运输局, 公路中心, 乡镇, 住建...
    SUPERVISING = "supervising"  # 督办单位: 政府, 安委会, 道安委


class AttachmentPhase(StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"
    DOCUMENT = "document"


class CoordinateInput(StrEnum):
    """The datum coordinates were typed in; GCJ-02 and BD-09 are converted to WGS-84 on input."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


class ExtensionState(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class EventKind(StrEnum):
    PROGRESS = "progress"  # 进展
    NOTICE = "notice"  # 通报
    SUMMONS = "summons"  # 约谈
    ACCOUNTABILITY = "accountability"  # 问责
    LOOKBACK = "lookback"  # 回头看


class DeliveryChannel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a worker, under a lease its heartbeat renews
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"  # still failing when the retry period ran out; the admins are told


class AdminChangeKind(StrEnum):
    """What an administrator changed (the admin audit's `kind`). Stored as plain text, not a checked
    enum column, so a later kind (a division, a road) needs no migration of the audit table."""

    USER_ADDED = "user_added"
    USER_IMPORTED = "user_imported"
    USER_EDITED = "user_edited"  # name, e-mail, phone, language
    USER_ACCESS_CHANGED = "user_access_changed"  # role, division, organization
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    USER_PASSWORD_RESET = "user_password_reset"
    ORGANIZATION_ADDED = "organization_added"
    ORGANIZATION_EDITED = "organization_edited"
    ORGANIZATION_DEACTIVATED = "organization_deactivated"
    ORGANIZATION_REACTIVATED = "organization_reactivated"
    ORGANIZATION_MERGED = "organization_merged"
    CATEGORY_ADDED = "category_added"
    CATEGORY_EDITED = "category_edited"
    CATEGORY_REORDERED = "category_reordered"
    CATEGORY_DEACTIVATED = "category_deactivated"
    CATEGORY_REACTIVATED = "category_reactivated"
    MEASURE_ADDED = "measure_added"
    MEASURE_EDITED = "measure_edited"
    MEASURE_REORDERED = "measure_reordered"
    MEASURE_DEACTIVATED = "measure_deactivated"
    MEASURE_REACTIVATED = "measure_reactivated"
