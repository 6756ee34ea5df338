"""Scope names (reference §10.5, Scopes.md)."""

from __future__ import annotations

# Kept as the text of Scopes.md so it can be compared by eye.
ALL_SCOPES: frozenset[str] = frozenset(
    """businesses.readonly businesses.write calendars.write calendars.readonly
calendars/groups.readonly calendars/groups.write calendars/resources.readonly
calendars/resources.write calendars/events.readonly calendars/events.write campaigns.readonly
contacts.readonly contacts.write objects/schema.readonly objects/schema.write
objects/record.readonly objects/record.write conversations.readonly conversations.write
conversations/message.readonly conversations/message.write conversations/livechat.write
forms.readonly invoices.readonly invoices.write invoices/schedule.readonly
invoices/schedule.write invoices/template.readonly invoices/template.write links.readonly
links.write locations.readonly locations.write locations/customValues.readonly
locations/customValues.write locations/customFields.readonly locations/customFields.write
locations/tags.readonly locations/tags.write locations/templates.readonly
locations/tasks.readonly medias.readonly medias.write funnels/redirect.readonly
funnels/redirect.write funnels/page.readonly funnels/funnel.readonly funnels/pagecount.readonly
opportunities.readonly opportunities.write payments/integration.readonly
payments/integration.write payments/orders.readonly payments/orders.write
payments/transactions.readonly payments/subscriptions.readonly products.readonly products.write
products/prices.readonly products/prices.write oauth.readonly oauth.write saas/location.write
saas/location.read saas/company.write snapshots.readonly socialplanner/account.readonly
socialplanner/account.write socialplanner/csv.readonly socialplanner/csv.write
socialplanner/category.readonly socialplanner/oauth.readonly socialplanner/oauth.write
socialplanner/post.readonly socialplanner/post.write socialplanner/tag.readonly
surveys.readonly users.readonly users.write workflows.readonly courses.write
emails/builder.readonly emails/builder.write emails/schedule.readonly blogs/post.write
blogs/post-update.write blogs/check-slug.readonly blogs/category.readonly
blogs/author.readonly blogs/posts.readonly blogs/list.readonly
associations.readonly associations.write associations/relation.readonly
associations/relation.write""".split()  # noqa: SIM905
)  # the last line: the scopes apps/associations.json declares, which Scopes.md does not list

# The scopes a sync needs; the seeded sub-account token holds exactly these (plus a few more).
SYNC_SCOPES: frozenset[str] = frozenset(
    {
        "contacts.readonly",
        "contacts.write",
        "businesses.readonly",
        "businesses.write",
        "calendars.readonly",
        "calendars.write",
        "calendars/events.readonly",
        "calendars/events.write",
        "locations.readonly",
        "locations/customFields.readonly",
        "locations/customFields.write",
        "locations/tags.readonly",
        "locations/tags.write",
        "opportunities.readonly",  # the deals template
        "opportunities.write",
        "users.readonly",
        "users.write",
        "workflows.readonly",
        "campaigns.readonly",
        # form-intake reads submissions; budget-alerts comments on conversations.
        "forms.readonly",
        "surveys.readonly",
        "conversations.readonly",
        "conversations/message.readonly",
        "conversations/message.write",
    }
)
