"""services.published: the one rule that a pending sanction (a draft awaiting a second
officer's approval) is invisible, through every public door."""
import csv
import io
import zipfile

from sqlalchemy import select

from registry.extensions import db
from registry.models import Sanction
from registry.services import dashboard, published

from ..conftest import agency_row

DRAFT, DECIDED = "Prakas 1/2026 DRAFT", "Prakas 2/2026 DECIDED"


def load_both(load):
    load(agencies=[agency_row("P-1", "Published Agency")],
         sanctions=[{"licence_number": "P-1", "kind": "revocation", "decided_on": "2026-01-05",
                     "decision_ref": DRAFT, "state": "pending"},
                    {"licence_number": "P-1", "kind": "warning", "decided_on": "2026-01-06",
                     "decision_ref": DECIDED, "state": "in_force"}])


def test_the_rule(ctx, load):
    load_both(load)
    draft = db.session.scalars(select(Sanction).where(Sanction.decision_ref == DRAFT)).one()
    assert not published.is_public(draft)
    assert [s.decision_ref for s in published.sanctions_of(draft.agency)] == [DECIDED]
    assert [s.decision_ref for s in published.latest_sanctions(10)] == [DECIDED]
    assert [s.decision_ref for s in db.session.scalars(
        published.public_sanctions_query())] == [DECIDED]


def test_every_public_door_hides_the_draft(app, load, client, runner, tmp_path):
    load_both(load)
    doors = {
        "page": client.get("/en/agencies/P-1").get_data(as_text=True),
        "api": client.get("/api/v1/agencies/P-1").get_data(as_text=True),
        "feed": client.get("/feeds/sanctions.atom").get_data(as_text=True),
        "agency feed": client.get("/feeds/agencies/P-1.atom").get_data(as_text=True),
    }
    with client.get("/data/registry-public.zip") as archive:
        with zipfile.ZipFile(io.BytesIO(archive.get_data())) as z:
            doors["open data"] = z.read("sanctions.csv").decode()
    assert runner.invoke(args=["export", str(tmp_path / "out")]).exit_code == 0
    doors["export"] = (tmp_path / "out" / "sanctions.csv").read_text()
    for door, body in doors.items():
        assert DECIDED in body, door
        assert DRAFT not in body, door
    assert client.get("/api/v1/agencies/P-1").json["status"] == "licensed"
    with app.app_context():
        figures = dashboard.figures()
        assert sum(n for _, n in figures["per_month"]) == 1 and figures["pending"] == 1


def test_exported_sanctions_are_the_public_ones(ctx, load, tmp_path, runner):
    load_both(load)
    runner.invoke(args=["export", str(tmp_path / "out")])
    with open(tmp_path / "out" / "sanctions.csv", encoding="utf-8") as f:
        assert [r["state"] for r in csv.DictReader(f)] == ["in_force"]


FORMULA = '=HYPERLINK("http://evil.example","Click")'


def test_formulas_are_neutralised_in_export_and_open_data_and_import_back(app, load, client,
                                                                          runner, tmp_path):
    """The attack: a value typed as a formula runs when a journalist opens the CSV."""
    load(agencies=[agency_row("X-1", FORMULA, name_km="@SUM(1+1)", phones="+855 12 345 678",
                              aliases="-2+3;=1+1")],
         sanctions=[{"licence_number": "X-1", "kind": "warning", "decided_on": "2026-01-01",
                     "reason_en": "+cmd|' /C calc'!A0", "decision_ref": "R-1",
                     "state": "in_force"}])
    runner.invoke(args=["export", str(tmp_path / "out")])
    with client.get("/data/registry-public.zip") as archive:
        with zipfile.ZipFile(io.BytesIO(archive.get_data())) as z:
            archived = {name: z.read(name).decode() for name in ("agencies.csv",
                                                                  "sanctions.csv")}
    for name in ("agencies.csv", "sanctions.csv"):
        for text in ((tmp_path / "out" / name).read_text(), archived[name]):
            for row in csv.reader(io.StringIO(text)):
                assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row), row
    again = runner.invoke(args=["import", str(tmp_path / "out")])
    assert again.exit_code == 0 and "agencies: 0 new, 0 updated" in again.output
    record = client.get("/api/v1/agencies/X-1").json
    assert (record["name"]["en"], record["name"]["km"]) == (FORMULA, "@SUM(1+1)")
