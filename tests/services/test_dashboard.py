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
