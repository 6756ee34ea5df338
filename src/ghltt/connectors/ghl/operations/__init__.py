"""The GHL operations beyond contacts, businesses, users and calendar events, one module per
API area; ``catalog.CATALOG`` holds them with the rest."""

from ghltt.connectors.ghl.operations import (
    calendars,
    conversations,
    locations,
    marketing,
    objects,
    opportunities,
    products,
)

__all__ = ["MORE_OPERATIONS"]

MORE_OPERATIONS = (
    *opportunities.OPERATIONS,
    *calendars.OPERATIONS,
    *locations.OPERATIONS,
    *conversations.OPERATIONS,
    *marketing.OPERATIONS,
    *objects.OPERATIONS,
    *products.OPERATIONS,
)
