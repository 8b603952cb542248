"""Fixtures for the service tests: officers of each role and one agency, made through the
services themselves."""
from datetime import date

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Agency, AuditEntry
from registry.services import agency_edits, users

PASSWORD = "a long enough pass phrase"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def officers(ctx):
    """clerk, two approvers and an admin, as User objects, by role name."""
    made = {}
    for name, role in (("clerk", "clerk"), ("approver", "approver"), ("second", "approver"),
                       ("admin", "admin")):
        made[name] = users.create_user(f"{name}@ministry.example", role, PASSWORD, "test")
    return made


@pytest.fixture
def agency(ctx, officers):
    return agency_edits.create_agency(
        {"name_en": "Mekong Service Agency", "name_km": "ភ្នាក់ងារ មេគង្គ", "name_my": "",
         "aliases": [], "province": None, "address_en": "", "address_km": "", "address_my": "",
         "email": "", "website": "", "destinations": ["TH"]},
        [("phone", "012 345 678")], ("KH-S-0001", date(2025, 1, 1), date(2030, 1, 1)),
        officers["clerk"])


def last_entry():
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()


def agency_named(name):
    return db.session.scalars(select(Agency).where(Agency.name_en == name)).one()
