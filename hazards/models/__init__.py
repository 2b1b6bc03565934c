"""The ledger's tables. Importing this package registers every model on `Base.metadata`."""

from hazards.models.base import Base
from hazards.models.events import (
    DeadlineChange,
    ExtensionRequest,
    FieldChange,
    HazardEvent,
    LoginAttempt,
)
from hazards.models.hazard import Hazard
from hazards.models.jurisdiction import Jurisdiction, Organization
from hazards.models.ledger import Attachment, FundingEntry, LevelChange, StatusChange
from hazards.models.road import Road
from hazards.models.taxonomy import Category, Measure, hazard_categories, hazard_measures
from hazards.models.user import User

__all__ = [
    "Attachment",
    "Base",
    "Category",
    "DeadlineChange",
    "ExtensionRequest",
    "FieldChange",
    "FundingEntry",
    "Hazard",
    "HazardEvent",
    "Jurisdiction",
    "LevelChange",
    "LoginAttempt",
    "Measure",
    "Organization",
    "Road",
    "StatusChange",
    "User",
    "hazard_categories",
    "hazard_measures",
]
