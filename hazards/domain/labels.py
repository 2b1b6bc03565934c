"""Chinese and English labels of the closed vocabularies, as the people who do the work write them.

The first Chinese label is the one shown; the others are spellings accepted on import.
"""

from __future__ import annotations

from hazards.domain.enums import (
    AdminChangeKind,
    AttachmentPhase,
    CoordinateInput,
    DeliveryChannel,
    DeliveryState,
    Direction,
    EventKind,
    ExtensionState,
    FundingKind,
    FundingSource,
    JurisdictionLevel,
    OrganizationKind,
    RiskGrade,
    RoadClass,
    Role,
    Source,
    Status,
    SupervisionLevel,
)

# (enum member, (English label, Chinese label, *other Chinese spellings)). A list, not a dict literal:
# the enums are str-based, so SupervisionLevel.CITY and FundingSource.CITY ("city") would collide.
_ENTRIES: list = [
    (SupervisionLevel.MINISTRY, ("Ministry", "部级", "部级督办", "公安部督办", "部督")),
    (SupervisionLevel.PROVINCE, ("Province", "省级", "省级督办", "省督")),
    (SupervisionLevel.CITY, ("City", "市级", "市级督办", "市督")),
    (SupervisionLevel.COUNTY, ("County", "县级", "县级督办", "县督", "区级", "区级督办")),
    (SupervisionLevel.NONE, ("Not listed", "未挂牌", "无", "未督办")),
    (Status.REPORTED, ("Reported", "已上报", "上报", "待核实")),
    (Status.VERIFIED, ("Verified", "已核实", "核实认定", "已认定")),
    (Status.REJECTED, ("Rejected", "不予认定", "已驳回")),
    (Status.MERGED, ("Merged as duplicate", "重复合并", "重复")),
    (Status.LISTED, ("Listed for supervision", "挂牌督办", "已挂牌")),
    (Status.ASSIGNED, ("Assigned", "已交办", "交办")),
    (Status.PLAN_APPROVED, ("Plan approved", "方案已审定", "方案审定")),
    (Status.IN_REMEDIATION, ("In remediation", "整改中", "治理中")),
    (Status.CLOSURE_REQUESTED, ("Closure requested", "申请销号", "待验收")),
    (Status.CLOSED, ("Closed", "已销号", "销号", "已整改", "已完成")),
    (RoadClass.NATIONAL, ("National road", "国道")),
    (RoadClass.PROVINCIAL, ("Provincial road", "省道")),
    (RoadClass.COUNTY, ("County road", "县道")),
    (RoadClass.TOWNSHIP, ("Township road", "乡道")),
    (RoadClass.VILLAGE, ("Village road", "村道")),
    (RoadClass.SPECIAL, ("Special road", "专用公路")),
    (RoadClass.URBAN, ("Urban road", "城市道路")),
    (Source.PATROL, ("Patrol", "日常巡查", "巡查")),
    (Source.CRASH_REVIEW, ("Crash review", "事故倒查", "事故分析")),
    (Source.PUBLIC, ("Public report", "群众举报", "举报")),
    (Source.THIRD_PARTY, ("Third-party survey", "第三方排查", "第三方")),
    (Source.ASSIGNED, ("Assigned from above", "上级交办", "交办")),
    (Source.OTHER, ("Other", "其他")),
    (Direction.UP, ("Up", "上行")),
    (Direction.DOWN, ("Down", "下行")),
    (Direction.BOTH, ("Both", "双向", "上下行")),
    (RiskGrade.MAJOR, ("Major", "重大")),
    (RiskGrade.HIGH, ("High", "较大")),
    (RiskGrade.GENERAL, ("General", "一般")),
    (FundingKind.BUDGET, ("Budget", "预算")),
    (FundingKind.ALLOCATION, ("Allocated", "到位资金", "下达")),
    (FundingKind.SPENDING, ("Spent", "支出", "已投入")),
    # After the label, how ledgers write it (资金来源: 中央资金, 县级财政, 自筹).
    (FundingSource.CENTRAL, ("Central", "中央", "中央资金", "中央财政")),
    (FundingSource.PROVINCE, ("Province", "省级", "省级资金", "省级财政", "省")),
    (FundingSource.CITY, ("City", "市级", "市级资金", "市级财政", "市")),
    (FundingSource.COUNTY, ("County", "县级", "县级资金", "县级财政", "县")),
    (FundingSource.OTHER, ("Other", "其他", "其他资金", "自筹")),
    (Role.INSPECTOR, ("Inspector", "排查员")),
    (Role.SUPERVISOR, ("Supervisor", "督办人员")),
    (Role.ADMIN, ("Administrator", "管理员")),
    (JurisdictionLevel.NATIONAL, ("National", "全国")),
    (JurisdictionLevel.PROVINCE, ("Province", "省")),
    (JurisdictionLevel.CITY, ("City", "市")),
    (JurisdictionLevel.COUNTY, ("County", "县")),
    (AttachmentPhase.BEFORE, ("Before", "整改前")),
    (AttachmentPhase.DURING, ("During", "整改中")),
    (AttachmentPhase.AFTER, ("After", "整改后")),
    (AttachmentPhase.DOCUMENT, ("Document", "文书")),
    (ExtensionState.PENDING, ("Pending", "待审批")),
    (ExtensionState.GRANTED, ("Granted", "已批准")),
    (ExtensionState.REFUSED, ("Refused", "不予批准")),
    (EventKind.PROGRESS, ("Progress note", "整改进展")),
    (EventKind.NOTICE, ("Circulated notice", "通报")),
    (EventKind.SUMMONS, ("Summons", "约谈")),
    (EventKind.ACCOUNTABILITY, ("Accountability", "问责")),
    (EventKind.LOOKBACK, ("Look-back inspection", "回头看")),
    (DeliveryChannel.INBOX, ("Inbox", "站内通知")),
    (DeliveryChannel.EMAIL, ("E-mail", "电子邮件")),
    (DeliveryChannel.WEBHOOK, ("Webhook", "Webhook 推送")),
    (DeliveryState.PENDING, ("Waiting to be sent", "待发送")),
    (DeliveryState.SENDING, ("Sending", "发送中")),
    (DeliveryState.SENT, ("Sent", "已发送")),
    (DeliveryState.UNDELIVERABLE, ("Undeliverable", "无法送达")),
    (CoordinateInput.WGS84, ("WGS-84 / CGCS2000", "WGS-84")),
    (CoordinateInput.GCJ02, ("GCJ-02 (AMap, Tencent)", "GCJ-02", "高德", "腾讯")),
    (CoordinateInput.BD09, ("BD-09 (Baidu)", "BD-09", "百度")),
    (OrganizationKind.POLICE, ("Police unit", "公安交管部门", "交警队", "交警大队")),
    (OrganizationKind.RESPONSIBLE, ("Responsible unit", "责任单位")),
    (OrganizationKind.SUPERVISING, ("Supervising body", "督办单位")),
    (AdminChangeKind.USER_ADDED, ("User added", "新增用户")),
    (AdminChangeKind.USER_IMPORTED, ("User imported from a sheet", "批量导入用户")),
    (AdminChangeKind.USER_EDITED, ("User details changed", "修改用户信息")),
    (AdminChangeKind.USER_ACCESS_CHANGED, ("Role, division or organization changed", "调整角色、辖区或单位")),
    (AdminChangeKind.USER_DISABLED, ("User disabled", "停用用户")),
    (AdminChangeKind.USER_ENABLED, ("User enabled", "启用用户")),
    (AdminChangeKind.USER_PASSWORD_RESET, ("Password reset", "重置密码")),
    (AdminChangeKind.ORGANIZATION_ADDED, ("Organization added", "新增单位")),
    (AdminChangeKind.ORGANIZATION_EDITED, ("Organization changed", "修改单位")),
    (AdminChangeKind.ORGANIZATION_DEACTIVATED, ("Organization deactivated", "停用单位")),
    (AdminChangeKind.ORGANIZATION_REACTIVATED, ("Organization back in use", "恢复使用单位")),
    (AdminChangeKind.ORGANIZATION_MERGED, ("Organizations merged", "合并单位")),
    (AdminChangeKind.CATEGORY_ADDED, ("Category added", "新增隐患类型")),
    (AdminChangeKind.CATEGORY_EDITED, ("Category renamed", "修改隐患类型")),
    (AdminChangeKind.CATEGORY_REORDERED, ("Category moved", "调整隐患类型排序")),
    (AdminChangeKind.CATEGORY_DEACTIVATED, ("Category deactivated", "停用隐患类型")),
    (AdminChangeKind.CATEGORY_REACTIVATED, ("Category back in use", "恢复使用隐患类型")),
    (AdminChangeKind.MEASURE_ADDED, ("Measure added", "新增治理措施")),
    (AdminChangeKind.MEASURE_EDITED, ("Measure renamed", "修改治理措施")),
    (AdminChangeKind.MEASURE_REORDERED, ("Measure moved", "调整治理措施排序")),
    (AdminChangeKind.MEASURE_DEACTIVATED, ("Measure deactivated", "停用治理措施")),
    (AdminChangeKind.MEASURE_REACTIVATED, ("Measure back in use", "恢复使用治理措施")),
]

LABELS: dict = {(type(member), member.value): names for member, names in _ENTRIES}


def label(member, language: str = "zh") -> str:
    """The label to show for an enum member in the user's language."""
    if member is None:
        return ""
    names = LABELS.get((type(member), getattr(member, "value", member)))
    if names is None:
        return str(member)
    return names[0] if language == "en" else names[1]


def lookup_table(enum_cls) -> dict[str, object]:
    """Every accepted spelling (value, English label, Chinese labels), folded, mapped to its member."""
    table: dict[str, object] = {}
    for member in enum_cls:
        spellings = (member.value, member.name, *LABELS.get((enum_cls, member.value), ()))
        for spelling in spellings:
            table[fold(spelling)] = member
    return table


def fold(text: str) -> str:
    return text.strip().casefold().replace(" ", "").replace("-", "").replace("_", "")
