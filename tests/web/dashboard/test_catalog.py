"""The catalog pages: every action and trigger, searched and filtered on the server and paged,
each with its schemas, scopes and detection; bad filters are a message, not an error page."""

from __future__ import annotations

import re
from html import unescape

import pytest

from ghltt.engine.catalog.describe import entries
from tests.web.dashboard.conftest import Served

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/catalog/([^"]+)"><code>', html)


def test_the_catalog_is_paged_and_filtered_like_the_api(served: Served) -> None:
    everything = entries()
    with served.logged_in() as client:
        first = client.get("/catalog")
        assert first.status_code == 200 and ">Catalog</a>" in first.text  # in the nav
        assert f"{len(everything)} entries, page 1 of" in unescape(first.text).replace("\u202f", "")
        assert _names(first.text) == [e.name for e in everything[:50]]
        second = client.get("/catalog", params={"page": "2"})
        assert _names(second.text) == [e.name for e in everything[50:100]]

        found = client.get("/catalog", params={"q": "customer", "system": "tt"})
        expected = entries(system="tt", search="customer")
        assert expected and _names(found.text) == [e.name for e in expected[:50]]

        triggers = client.get("/catalog", params={"kind": "trigger", "group": "contact"})
        names = _names(triggers.text)
        assert "ghl.contact.created" in names
        assert all(n.split(".")[1] == "contact" for n in names)
        assert "webhook" in triggers.text  # how each trigger is detected

        none = client.get("/catalog", params={"q": "no such thing at all"})
        assert none.status_code == 200 and "Nothing matches." in none.text


def test_an_entry_shows_its_schemas_scopes_and_detection(served: Served) -> None:
    with served.logged_in() as client:
        action = client.get("/catalog/ghl.contacts.create")
        assert action.status_code == 200
        text = unescape(action.text)
        assert "contacts.write" in text  # its scope
        assert '<table aria-label="Input">' in text and "<code>email</code>" in text
        assert "string or null" in text
        assert '<table aria-label="Output">' in text
        trigger = client.get("/catalog/ghl.contact.created")
        assert "Detected by" in trigger.text and "webhook" in trigger.text
        assert '<table aria-label="Payload">' in trigger.text


def test_bad_filters_and_unknown_entries_say_so(served: Served) -> None:
    with served.logged_in() as client:
        for params, says in [
            ({"system": "salesforce"}, "system: 'salesforce' is not ghl, tt, ghltt"),
            ({"kind": "thing"}, "kind: 'thing' is not action, trigger"),
            ({"group": "nope"}, "group: 'nope' is not one listed in the form"),
            ({"q": "x" * 101}, "q: is longer than 100 characters"),
            ({"page": "zero"}, "page: must be a page number"),
            ({"page": "99"}, "page: there are"),
        ]:
            answer = client.get("/catalog", params=params)
            assert answer.status_code == 422, params
            assert says in unescape(answer.text), (params, answer.text)
        missing = client.get("/catalog/ghl.nope.nope")
        assert missing.status_code == 404
        assert "There is no action or trigger 'ghl.nope.nope'" in unescape(missing.text)
