"""Refusals (403) and views of the insights and admin pages are in the audit log."""

from __future__ import annotations

import sqlite3

from tests.review.conftest import Scratch
from tests.review.support import Client


def last_entry(scratch: Scratch, action: str) -> tuple:
    with sqlite3.connect(scratch.directory / "review.sqlite3") as connection:
        return connection.execute(
            "SELECT actor, target, detail FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1", (action,)
        ).fetchone()


def test_a_clinician_refused_an_admin_page_is_audited(clinician: Client, scratch: Scratch) -> None:
    assert clinician.get("/admin/audit").status == 403
    actor, _, detail = last_entry(scratch, "refused")
    assert actor == "cleo-clinician" and detail.startswith("GET ") and "403" in detail


def test_bulk_export_is_for_admins_and_a_refusal_is_audited(clinician: Client, admin: Client, scratch: Scratch) -> None:
    assert clinician.get("/export/json").status == 403
    assert "export_filtered" in last_entry(scratch, "refused")[2]
    assert admin.get("/export/csv").status == 200


def test_a_refusal_naming_a_conversation_keeps_its_id_out(clinician: Client, scratch: Scratch) -> None:
    assert clinician.get("/conversations/c-risk-open/delete").status == 403
    actor, target, detail = last_entry(scratch, "refused")
    assert actor == "cleo-clinician" and "c-risk-open" not in detail and "conv:" in detail


def test_views_of_insights_and_admin_pages_are_audited(admin: Client, scratch: Scratch) -> None:
    assert admin.get("/insights").status == 200
    assert last_entry(scratch, "view_insights")[:2] == ("ada-admin", "/insights")
    assert admin.get("/admin/accounts").status == 200
    assert last_entry(scratch, "view_admin")[:2] == ("ada-admin", "/admin/accounts")
