"""The ledger's tables. Importing this package registers every model on `Base.metadata`."""

from hazards.models.admin_audit import AdminChange
from hazards.models.base import Base
from hazards.models.crash import Crash, HazardCrash
from hazards.models.crash_history import HazardCrashHistory
from hazards.models.hazard import CodeSequence, Hazard
from hazards.models.history import (
    DeadlineChange,
    ExtensionRequest,
    FieldChange,
    HazardEvent,
    LevelChange,
    StatusChange,
)
from hazards.models.jurisdiction import Jurisdiction, Organization
from hazards.models.ledger import Attachment, FundingEntry
from hazards.models.notices import Delivery, Notification, ReminderSent
from hazards.models.priority import HazardPriority, PriorityRanking
from hazards.models.road import Road, StakePost
from hazards.models.tally import TallySnapshot
from hazards.models.taxonomy import Category, Measure, hazard_categories, hazard_measures
from hazards.models.token import ApiToken
from hazards.models.user import LoginAttempt, User

__all__ = [
    "AdminChange",
    "ApiToken",
    "Attachment",
    "Base",
    "Category",
    "CodeSequence",
    "Crash",
    "DeadlineChange",
    "Delivery",
    "ExtensionRequest",
    "FieldChange",
    "FundingEntry",
    "Hazard",
    "HazardCrash",
    "HazardCrashHistory",
    "HazardEvent",
    "HazardPriority",
    "Jurisdiction",
    "LevelChange",
    "LoginAttempt",
    "Measure",
    "Notification",
    "Organization",
    "PriorityRanking",
    "ReminderSent",
    "Road",
    "StakePost",
    "StatusChange",
    "TallySnapshot",
    "User",
    "hazard_categories",
    "hazard_measures",
]
