"""The cursor repository on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ghltt.store import open_database, upgrade
from ghltt.store.cursors import CursorRepository


def test_cursors_are_saved_replaced_listed_and_forgotten(database_url: str) -> None:
    db = open_database(database_url)
    upgrade(db)
    repo = CursorRepository(db)
    assert repo.get("b1", "ghl.contacts") is None
    repo.save("b1", "ghl.contacts", {"high_water": "2026-01-01T00:00:00+00:00", "recent": []})
    repo.save("b1", "ghl.contacts", {"high_water": "2026-01-02T00:00:00+00:00", "recent": ["x"]})
    repo.save("b1", "tt.users", {"versions": {"1": "a#b"}})
    repo.save("b2", "tt.users", {"versions": {}})
    assert repo.get("b1", "ghl.contacts") == {
        "high_water": "2026-01-02T00:00:00+00:00",
        "recent": ["x"],
    }
    assert set(repo.get_all("b1")) == {"ghl.contacts", "tt.users"}
    assert repo.delete("b1", "tt.users") == 1
    assert set(repo.get_all("b1")) == {"ghl.contacts"}
    assert repo.delete("b1") == 1 and repo.get_all("b1") == {}
    assert repo.get("b2", "tt.users") == {"versions": {}}
    db.dispose()


def test_save_in_belongs_to_the_callers_transaction(database_url: str) -> None:
    db = open_database(database_url)
    upgrade(db)
    repo = CursorRepository(db)
    with pytest.raises(RuntimeError), db.begin() as conn:
        CursorRepository.save_in(conn, "b1", "tt.events", {"high_water": None, "recent": []})
        raise RuntimeError("crash before commit")
    assert repo.get("b1", "tt.events") is None
    with db.begin() as conn:
        CursorRepository.save_in(conn, "b1", "tt.events", {"high_water": None, "recent": []})
        assert isinstance(conn, sa.Connection)
    assert repo.get("b1", "tt.events") == {"high_water": None, "recent": []}
    db.dispose()
