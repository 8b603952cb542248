"""Command line: flask --app registry import|seed|reindex|export|create-user|
clear-sign-in-failures|audit verify|audit checkpoint|opendata snapshot|message."""
import csv
import getpass
import secrets
import shutil
import sys
import tempfile
import urllib.request
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import click
import pyotp
import segno
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from . import search, sms
from .extensions import db
from .models import Agency
from .services import (ServiceError, audit, backups, checkpoints, logins, messages, snapshots,
                       users)
from .services.agencies import profile
from .services.export import export_folder
from .services.import_rows import FILES, count_rows
from .services.imports import ImportRefused, import_folder

#: One demo data set per shipped country profile: seed/KH, seed/MM.
SEED_DIR = Path(__file__).resolve().parent / "seed"
DATE_COLUMNS = ("licence_issued_on", "licence_expires_on", "authorised_from", "authorised_to",
                "decided_on", "effective_from", "effective_to", "received_on", "closed_on")
audit_cli = AppGroup("audit", help="Check the audit log.")
opendata_cli = AppGroup("opendata", help="Publish the open data.")


def init_app(app):
    for command in (import_command, seed_command, reindex_command, export_command,
                    create_user_command, clear_failures_command, backup_command,
                    restore_command, demo_officers_command, message_command):
        app.cli.add_command(command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(opendata_cli)


def run_import(folder, actor, dry_run=False, approved_by=None):
    with click.progressbar(length=count_rows(folder), label="Importing",
                           file=sys.stderr) as bar:
        try:
            result = import_folder(folder, profile(), actor, dry_run=dry_run,
                                   progress=bar.update, approved_by=approved_by)
        except ServiceError as error:
            raise click.ClickException(f"Nothing was imported: {error}") from None
        except ImportRefused as refused:
            bar.finish()
            click.echo("", err=True)
            for problem in refused.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(
                f"Nothing was imported: {len(refused.problems)} problems (listed above).")
    return result


@click.command("import")
@with_appcontext
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--dry-run", is_flag=True, help="Check only; write nothing.")
@click.option("--approved-by", metavar="EMAIL",
              help="Historic load: record the file's sanction states as approved by this "
                   "approver account (another officer than --by).")
@click.option("--by", "operator", metavar="EMAIL",
              help="Your own account, recorded as the author (default: cli:<system user>).")
def import_command(folder, dry_run, approved_by, operator):
    """Import a folder of CSV files: everything is checked first, then all or nothing.

    Sanctions land awaiting a second officer's approval, whatever their state column says,
    unless --approved-by names that officer."""
    actor = operator_account(operator) if operator else f"cli:{getpass.getuser()}"
    result = run_import(folder, actor, dry_run, approved_by)
    click.echo(("Checked, nothing written. " if dry_run else "Imported. ") + result.summary())


def operator_account(email):
    user = users.by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"{email.strip().lower()} is not an active account.")
    return user.email


@click.command("seed")
@click.option("--if-empty", is_flag=True, help="Only when the registry has no agency yet.")
@with_appcontext
def seed_command(if_empty):
    """Load the country profile's demo data set (seed/<country>), with its dates moved to be
    current today."""
    if if_empty and db.session.query(Agency.id).first():
        click.echo("The registry already holds data; demo data not loaded.")
        return
    folder = SEED_DIR / profile().code
    if not folder.is_dir():
        raise click.ClickException(f"no demo data for country {profile().code}: "
                                   f"only {', '.join(sorted(demo_countries()))}")
    reference = date.fromisoformat((folder / "reference_date.txt").read_text().strip())
    with tempfile.TemporaryDirectory() as tmp:
        shift_dates(folder, tmp, date.today() - reference)
        result = run_import(tmp, "cli:seed", approved_by=demo_approver())
    click.echo(f"Seeded the demo registry (dates moved to {date.today()}). {result.summary()}")


def demo_countries():
    return {p.name for p in SEED_DIR.iterdir() if (p / "agencies.csv").is_file()}


DEMO_APPROVER = "demo-approver@registry.invalid"


def demo_approver():
    """The demo data holds decided sanctions: they are loaded as a historic load approved by
    a demo account, whose password nobody knows (so nobody can sign in with it)."""
    if users.by_email(DEMO_APPROVER) is None:
        users.create_user(DEMO_APPROVER, "approver", secrets.token_urlsafe(32), "cli:seed")
    return DEMO_APPROVER


def shift_dates(source, target, delta):
    for name in FILES:
        path = Path(source) / name
        if not path.is_file():
            continue
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
            fields = list(rows[0].keys()) if rows else []
        with open(Path(target) / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            for row in rows:
                for col in DATE_COLUMNS:
                    if row.get(col):
                        row[col] = (date.fromisoformat(row[col]) + delta).isoformat()
                writer.writerow(row)
    shutil.copy(Path(source) / "reference_date.txt", target)


@click.command("reindex")
@with_appcontext
def reindex_command():
    """Rebuild the search index from the database."""
    total = db.session.query(Agency).count()
    with click.progressbar(length=total, label="Indexing", file=sys.stderr) as bar:
        count = search.rebuild(progress=bar.update)
    click.echo(f"Indexed {count} agencies into {current_app.config['REGISTRY_INDEX_DIR']}.")


@click.command("export")
@with_appcontext
@click.argument("folder", type=click.Path(file_okay=False))
def export_command(folder):
    """Write the public record to a folder in the import format (no private fields)."""
    with click.progressbar(length=db.session.query(Agency).count(), label="Exporting",
                           file=sys.stderr) as bar:
        counts = export_folder(folder, progress=bar.update)
    click.echo("Exported " + ", ".join(f"{n} rows to {name}" for name, n in counts.items()) + ".")


@click.command("backup")
@with_appcontext
@click.argument("destination", type=click.Path(file_okay=False))
def backup_command(destination):
    """Back up the database and the checkpoint log into a new folder, and check the copy."""
    try:
        manifest = backups.backup(destination)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest["tables"].values())
    click.echo(f"Backed up {rows} rows in {len(manifest['tables'])} tables to {destination}; "
               f"the copy reads back and holds the audit chain of "
               f"{manifest['audit']['entries']} entries, head {manifest['audit']['head']}. "
               "Keep the signing key file too: it is not in the backup.")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, file_okay=False))
def restore_command(source):
    """Restore a backup folder into an empty database; check rows, audit chain and index."""
    try:
        restored = backups.restore(source)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {sum(restored.tables.values())} rows in {len(restored.tables)} "
               f"tables, as counted in the backup's manifest. Audit chain intact: "
               f"{restored.audit_entries} entries, consistent with {restored.checkpoints} "
               f"signed checkpoints kept with the backup. Search index rebuilt: "
               f"{restored.indexed} agencies.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(["clerk", "approver", "admin"]), required=True)
def create_user_command(email, role):
    """Create a regulator's account; the password is asked twice (or read from a pipe)."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        users.create_user(email, role, password, actor="cli:create-user")
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {role} {email.strip().lower()}. The password works for the first "
               "sign-in, which asks for a new one.")


@click.command("demo-officers")
@with_appcontext
def demo_officers_command():
    """Create a demo clerk and approver for trying the admin module (shown once)."""
    for role in ("clerk", "approver"):
        email = f"demo-{role}@registry.invalid"
        password = " ".join(secrets.choice(DEMO_WORDS) for _ in range(5))
        try:
            uri = users.create_demo_officer(email, role, password, f"cli:{getpass.getuser()}")
        except ServiceError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"\n{role}: {email}\npassword: {password}\nauthenticator app: scan the code "
                   f"or type the secret {pyotp.parse_uri(uri).secret}")
        segno.make(uri, error="m").terminal(compact=True)
    click.echo("Sign in at /admin/login. Shown once: these accounts are for trying the registry, "
               "never for real data.")


#: Words for demo passphrases (five of them: about 40 bits, enough for a local demo).
DEMO_WORDS = ("mekong", "lotus", "kettle", "granite", "harbour", "saffron", "tundra", "violin",
              "lantern", "meadow", "ribbon", "cobalt", "walnut", "falcon", "ember", "orbit",
              "pepper", "quartz", "willow", "canyon", "paddy", "monsoon", "temple", "river")


@click.command("clear-sign-in-failures")
@with_appcontext
@click.argument("email")
def clear_failures_command(email):
    """Let an account sign in again at once, after failed attempts slowed it down."""
    cleared = logins.clear_failures(email, f"cli:{getpass.getuser()}")
    click.echo(f"Cleared {cleared} failed sign-ins of {email.strip().lower()}.")


@audit_cli.command("verify")
@click.option("--against", "copies", multiple=True, metavar="FILE_OR_URL",
              help="Also check checkpoints kept elsewhere: a copy of the checkpoint log, "
                   "/data/audit-checkpoints.txt or /feeds/audit-checkpoints.atom (repeatable).")
def audit_verify(copies):
    """Check the audit log's hash chain and every signed checkpoint it can read."""
    local = checkpoints.log_path()
    found = checkpoints.read_log(local)
    if not local.is_file():
        click.echo(f"No checkpoint log at {local}: checking the chain only.", err=True)
    for source in copies:
        try:
            found += checkpoints.parse(read_source(source), source=source)
        except (OSError, ValueError, ET.ParseError) as error:
            raise click.ClickException(f"Could not read {source}: {error}") from None
    report = audit.verify(found)
    if report.broken_at is not None:
        raise click.ClickException(
            f"Audit chain broken at entry {report.broken_at}: {report.problem}. "
            f"{report.entries - 1} entries before it are intact.")
    if report.mismatches:
        good = (f"\nThe chain still matches the checkpoint at entry {report.last_good[0]} "
                f"({report.last_good[1]}): what changed lies after that entry."
                if report.last_good else "")
        raise click.ClickException(
            f"Audit log does not match {len(report.mismatches)} of {report.checked} signed "
            "checkpoints:\n  " + "\n  ".join(report.mismatches) + good
            + "\nSee docs/admin.md, 'When audit verify reports a checkpoint mismatch'.")
    click.echo(f"Audit chain intact: {report.entries} entries, head {report.head}; "
               f"consistent with {report.checked} signed checkpoints.")


@audit_cli.command("checkpoint")
def audit_checkpoint():
    """Sign a checkpoint of the chain as it is now and append it to the checkpoint log."""
    note = audit.anchor_now()
    click.echo(f"Appended to {checkpoints.log_path()}:\n{note}")


@opendata_cli.command("snapshot")
def opendata_snapshot():
    """Keep today's dated snapshot of the open data, unless it is kept already (daily cron)."""
    snapshot, wrote = snapshots.write()
    click.echo(f"{'Wrote' if wrote else 'Already kept:'} {snapshot.path} ({snapshot.size} bytes, "
               f"sha256 {snapshot.sha256}).")


def read_source(source):
    """The text of a checkpoint copy: a file, or an http(s) URL; Atom feeds are unwrapped."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 - http(s) only
            text = response.read().decode("utf-8", errors="replace")
    else:
        text = Path(source).read_text(encoding="utf-8", errors="replace")
    if text.lstrip().startswith("<"):
        feed = ET.fromstring(text)
        text = "\n\n".join(node.text or "" for node in feed.iter(
            "{http://www.w3.org/2005/Atom}content"))
    return text


@click.command("message")
@click.argument("text")
@with_appcontext
def message_command(text):
    """Print the answer a text message would get (a real check: it mints its receipt)."""
    base = current_app.config["REGISTRY_BASE_URL"] or "http://localhost"
    search.catch_up()
    # Receipts carry their address: built from REGISTRY_BASE_URL, as in a request.
    with current_app.test_request_context("/", base_url=base):
        reply = messages.answer(text)
    click.echo(reply.text)
    click.echo(f"({reply.lang}: {sms.segments(reply.text)} SMS, {sms.units(reply.text)} "
               f"{'GSM-7 characters' if sms.encoding(reply.text) == 'gsm7' else 'UCS-2 units'})",
               err=True)
