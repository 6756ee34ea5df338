"""The systems a connection belongs to and the kinds of credential each one takes."""

from __future__ import annotations

GHL, TT = "ghl", "tt"
GHL_TOKEN_KINDS = ("pit", "api_key")
TT_KINDS = ("app_password", "bearer")
OAUTH = "oauth"
AGENCY_LOCATION = "agency_location"  # a location token minted from an agency connection
OAUTH_KINDS = (OAUTH, AGENCY_LOCATION)
