"""The README's production install, followed from a clean copy of the repository into a fresh
virtualenv (issue 9): `pip install '.[postgresql,redis]'` (not editable, so nothing is read from the
source tree), `flask db upgrade`, `flask seed`, gunicorn. Khmer and Burmese pages must come out
translated: the catalogs are compiled by the app itself, not by make."""
import json
import re
import shutil
import subprocess
import sys
import venv

from .servers import ROOT, free_port, gunicorn, request
from .test_languages import catalog, visible_text


def clean_copy(target):
    """What a fresh clone holds: the files git tracks or would track, nothing built."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def run(args, env, cwd):
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result.stdout


def test_the_readme_production_install_serves_translated_pages(tmp_path):
    source = clean_copy(tmp_path / "clone")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python, bin_dir = env_dir / "bin" / "python", env_dir / "bin"
    run([str(python), "-m", "pip", "install", "--quiet", ".[postgresql,redis]"],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path),
             "PIP_CACHE_DIR": str(_pip_cache())}, cwd=source)
    shutil.rmtree(source)  # the installed package must stand alone
    port = free_port()
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path),
           "REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path}/registry.sqlite3",
           "REGISTRY_SECRET_KEY": "p" * 64, "REGISTRY_BASE_URL": f"http://127.0.0.1:{port}",
           "REGISTRY_INSTANCE_DIR": str(tmp_path / "instance"),
           "REGISTRY_INDEX_DIR": str(tmp_path / "instance" / "index")}
    run([str(bin_dir / "flask"), "--app", "registry", "db", "upgrade"], env, tmp_path)
    assert "Seeded the demo registry" in run([str(bin_dir / "flask"), "--app", "registry",
                                              "seed"], env, tmp_path)
    node = gunicorn(env, port, workers=1, gunicorn_bin=bin_dir / "gunicorn",
                    log=tmp_path / "gunicorn.log")
    try:
        english = {m.id for m in catalog("km") if isinstance(m.id, str) and len(m.id) > 12}
        scripts = {"km": "[\u1780-\u17ff]", "my": "[\u1000-\u109f]"}
        for lang, script in scripts.items():
            for path in (f"/{lang}/", f"/{lang}/search?q=angkor", f"/{lang}/verify"):
                status, _, body = request(port, path, headers={"Cookie": f"lang={lang}"})
                text = visible_text(body.decode())
                assert status == 200 and re.search(script, text), path
                leaked = [s for s in english if s in text]
                assert not leaked, (path, leaked[:3])
        status, _, body = request(port, "/static/css/site.css")
        assert status == 200 and b"Noto Sans Khmer" in body
    finally:
        node.stop()
    # Myanmar's profile, the same installed package (issue 12): its own demo registry,
    # Burmese first.
    env |= {"REGISTRY_COUNTRY": "MM",
            "REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path}/registry-mm.sqlite3",
            "REGISTRY_INDEX_DIR": str(tmp_path / "instance" / "index-mm")}
    run([str(bin_dir / "flask"), "--app", "registry", "db", "upgrade"], env, tmp_path)
    assert "agencies: 320 new" in run([str(bin_dir / "flask"), "--app", "registry", "seed"],
                                      env, tmp_path)
    node = gunicorn(env, port, workers=1, gunicorn_bin=bin_dir / "gunicorn",
                    log=tmp_path / "gunicorn-mm.log")
    try:
        status, headers, _ = request(port, "/")
        assert status == 302 and headers["Location"].endswith("/my/")
        status, _, body = request(port, "/api/v1/search?q=%E1%80%9B%E1%80%BD%E1%80%BE%E1%80%B1")
        found = json.loads(body)  # ရွှေ, "golden": a word of many Myanmar agencies' names
        assert status == 200 and found["total"] > 5
        assert all(r["licence_number"].startswith("MOL-OEA-") for r in found["results"])
    finally:
        node.stop()


def _pip_cache():
    """The cache pip already filled on this machine (so the test downloads little)."""
    found = subprocess.run([sys.executable, "-m", "pip", "cache", "dir"], capture_output=True,
                           text=True)
    return found.stdout.strip() or "/tmp/pip-cache"
