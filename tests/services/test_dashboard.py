"""services.dashboard: the regulators' figures, from what the registry holds."""
from datetime import date
from decimal import Decimal

import pytest

from registry.services import dashboard, leads

from ..conftest import agency_row

ANGKOR = agency_row("KH-D-0001", "Angkor Manpower", expires="2036-12-31",
                    name_km="ក្រុមហ៊ុន អង្គរ ម៉ែនផៅវ័រ")
SHWE = agency_row("MM-D-0002", "Shwe Employment", expires="2036-12-31",
                  name_my="ရွှေ အလုပ်အကိုင်")


def complaint(number, received_on, amount="", currency="", **extra):
    return {"licence_number": number, "received_on": received_on, "category": "excessive_fees",
            "status": "resolved" if amount else "received", "compensation_amount": amount,
            "currency": currency, "complainant_name": "សុខ ចាន់", **extra}


@pytest.mark.parametrize("complaints, expected", [
    ([], {}),
    ([complaint("KH-D-0001", "2026-01-05")], {}),   # no compensation: not a total of zero
    ([complaint("KH-D-0001", "2026-01-05", "150", "USD"),
      complaint("KH-D-0001", "2026-02-05", "50.50", "USD"),
      complaint("MM-D-0002", "2026-03-05", "1,000,000", "MMK"),
      complaint("KH-D-0001", "2026-04-05")],
     {"USD": Decimal("200.50"), "MMK": Decimal("1000000.00")}),
    # An amount without a currency is in the country's own (Cambodia: riel).
    ([complaint("KH-D-0001", "2026-01-05", "2,000,000"),
      complaint("KH-D-0001", "2026-02-05", "400,000", "KHR"),
      complaint("KH-D-0001", "2026-03-05", "0", "USD")],
     {"KHR": Decimal("2400000.00"), "USD": Decimal("0.00")}),
])
def test_compensation_is_totalled_per_currency(app, load, complaints, expected):
    load(agencies=[ANGKOR, SHWE], complaints=complaints)
    with app.app_context():
        compensation = dashboard.figures()["compensation"]
    assert compensation == expected
    assert all(isinstance(total, Decimal) for total in compensation.values())


def test_the_figures_count_statuses_complaints_and_leads(app, load):
    load(agencies=[ANGKOR, SHWE, agency_row("KH-D-0003", "Lapsed Agency", "2020-01-01",
                                            "2021-12-31")],
         complaints=[complaint("KH-D-0001", "2026-01-05", "150", "USD"),
                     complaint("KH-D-0001", "2026-02-05", category="deception"),
                     complaint("MM-D-0002", "2026-03-05")],
         sanctions=[{"licence_number": "MM-D-0002", "kind": "warning",
                     "decided_on": "2026-01-10", "decision_ref": "ប្រកាស ៥/២០២៦"}])
    with app.app_context():
        for _ in range(3):
            leads.record_unmatched("ក្រុមហ៊ុន ក្លែងក្លាយ", "KH")
        leads.record_unmatched("KH-X-9999", "KH")
        leads.record_unmatched("ភ្នាក់ងារ ចាស់", "KH", on=date(2020, 1, 1))  # too old to show
        figures = dashboard.figures()
    assert dict(figures["by_status"]) == {"licensed": 2, "suspended": 0, "revoked": 0,
                                          "expired": 1, "not_licensed": 0}
    assert dict(figures["by_category"]) == {"excessive_fees": 2, "deception": 1}
    assert dict(figures["by_outcome"]) == {"resolved": 1, "received": 2}
    assert figures["compensation"] == {"USD": Decimal("150.00")}
    assert figures["pending"] == 1 and figures["per_month"] == []  # a draft is not public
    assert [tuple(row) for row in figures["leads"]] == [
        ("name", "ក្រុមហ៊ុន ក្លែងក្លាយ", 3), ("licence", "KHX9999", 1)]


def test_the_database_counts_statuses_by_the_rule_on_every_case_of_its_table(app):
    """status_expression is the status rule written in SQL: it gives status.licence_status's
    answer for every row of the rule's table (tests/test_status.py), on SQLite and
    PostgreSQL."""
    from sqlalchemy import select

    from registry.extensions import db
    from registry.models import Agency, Licence, Sanction
    from registry.status import licence_status

    from ..test_status import CASES

    with app.app_context():
        built = []
        for n, (day, licences, sanctions, expected, why) in enumerate(CASES):
            agency = Agency(name_en=why)
            agency.licences = [Licence(number=f"{lic.number}-{n}", number_key=f"K{n}{i}",
                                       issued_on=lic.issued_on, expires_on=lic.expires_on)
                               for i, lic in enumerate(licences)]
            agency.sanctions = [Sanction(kind=s.kind, state=s.state, decided_on=s.effective_from,
                                         effective_from=s.effective_from,
                                         effective_to=s.effective_to)
                                for s in sanctions]
            db.session.add(agency)
            built.append((agency, date.fromisoformat(day), licences, sanctions, expected))
        db.session.commit()
        for agency, day, licences, sanctions, expected in built:
            in_sql = db.session.scalar(select(dashboard.status_expression(day))
                                       .where(Agency.id == agency.id))
            assert in_sql == expected == licence_status(licences, sanctions, day).code, \
                agency.name_en
        assert dashboard.statuses(date(2024, 9, 1)) == {
            agency.id: licence_status(lics, sans, date(2024, 9, 1)).code
            for agency, _, lics, sans, _ in built}
