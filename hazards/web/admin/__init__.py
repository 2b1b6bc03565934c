"""Administration pages: people (one by one or from a sheet), organizations, the category and measure
vocabularies, the admin audit and reminder deliveries. Every view requires an admin
(`permissions.can_administer`); the services and queries it calls limit it to the admin's subtree."""

from hazards.web.admin import audit, deliveries, organizations, user_sheet, users, vocabulary  # noqa: F401 - routes
from hazards.web.admin.common import bp

__all__ = ["bp"]
