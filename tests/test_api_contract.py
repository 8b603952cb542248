"""The JSON API and its OpenAPI document agree (issue 15): schemathesis, every check, against the
live app behind gunicorn. Schema-valid requests are answered, schema-invalid ones refused
(never a receipt of nothing), and every answer matches the document."""
import subprocess

from .conftest import agency_row
from .servers import BIN, free_port, gunicorn, registry_env


def test_schemathesis_finds_no_disagreement(load, database_url, tmp_path):
    load(agencies=[agency_row("KH-MLVT-2024-0012", "Angkor Manpower", phones="012 345 678",
                              province="KH-12", destinations="MY;TH"),
                   agency_row("KH-MLVT-2020-0007", "Expired Agency", "2020-01-01",
                              "2021-12-31")])
    port = free_port()
    node = gunicorn(registry_env(tmp_path, database_url, port,
                                 REGISTRY_LIMIT_VERIFY="100000/minute",
                                 REGISTRY_LIMIT_SEARCH="100000/minute"),
                    port, workers=1, log=tmp_path / "gunicorn.log")
    try:
        # A fixed seed: the same cases on every run, so a failure is reproducible.
        run = subprocess.run(
            [str(BIN / "schemathesis"), "run", f"http://127.0.0.1:{port}/api/v1/openapi.json",
             "--checks", "all", "--max-examples", "200", "--seed", "15", "--no-color"],
            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    finally:
        node.stop()
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "4 selected / 4 total" in run.stdout and "passed" in run.stdout
