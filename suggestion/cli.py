"""The ``flask`` commands of DESIGN §2."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import ngettext

from suggestion.admin.services import create_account
from suggestion.admin.services import EmailTaken
from suggestion.admin.services import load_holidays
from suggestion.auth.models import Division
from suggestion.auth.models import Role
from suggestion.core.errors import Invalid
from suggestion.core.extensions import db
from suggestion.core.time import EARLIEST_FISCAL_YEAR
from suggestion.core.time import is_fiscal_year
from suggestion.core.time import LATEST_FISCAL_YEAR
from suggestion.core.time import parse_fiscal_year
from suggestion.core.uow import unit_of_work

users_cli = AppGroup("users", help="Staff accounts.")
seed_cli = AppGroup("seed", help="Load starting data.")
holidays_cli = AppGroup("holidays", help="The holiday table.")
sla_cli = AppGroup("sla", help="Deadlines.")
reports_cli = AppGroup("reports", help="Indicators and reports.")
cases_cli = AppGroup("cases", help="Cases.")


def counted(n: int, singular: str, plural: str) -> str:
    """``n`` things in English, singular or plural: "1 problem", "2 problems"."""
    with force_locale("en"):
        return ngettext(singular, plural, n)


@cases_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@click.option(
    "--alert-past",
    is_flag=True,
    help=(
        "Let the next sweep send the reminders, acknowledgement alerts and"
        " escalations of open cases already past them (by default they are"
        " recorded as sent: a large import would flood the staff)."
    ),
)
def cases_import(path: str, dry_run: bool, alert_past: bool) -> None:
    """Import historical cases from a CSV file: the whole file or nothing."""
    import csv

    from suggestion.cases.importing import import_cases
    from suggestion.sla.sweep import mark_swept

    swept: list[int] = []

    def mark(case_ids: list[int]) -> None:
        swept.append(mark_swept(case_ids))

    with unit_of_work():  # the whole file or nothing
        try:
            result = import_cases(path, dry_run=dry_run, on_inserted=None if alert_past else mark)
        except UnicodeDecodeError:
            raise click.ClickException("the file is not UTF-8; nothing was imported") from None
        except csv.Error as error:
            raise click.ClickException(
                f"the file is not valid CSV ({error}); nothing was imported"
            ) from None
        if result.problems:
            for line, problem in result.problems[:200]:
                click.echo(f"line {line}: {problem}", err=True)
            more = len(result.problems) - 200
            if more > 0:
                click.echo(f"… and {more} more", err=True)
            problems = counted(len(result.problems), "%(num)d problem", "%(num)d problems")
            rows = counted(result.rows, "%(num)d row", "%(num)d rows")
            raise click.ClickException(f"{problems} in {rows}; nothing was imported")
    if dry_run:
        rows = counted(result.rows, "%(num)d row", "%(num)d rows")
        click.echo(f"{rows} checked; no problems (dry run: nothing written)")
        return
    click.echo(counted(result.imported, "%(num)d case imported", "%(num)d cases imported"))
    if sum(swept):
        alerts = counted(sum(swept), "%(num)d alert", "%(num)d alerts")
        click.echo(
            f"{alerts} already due recorded as sent and not sent"
            " (--alert-past lets the next sweep send them)"
        )


@contextmanager
def administration() -> Iterator[None]:
    """An administrative command: one unit of work, and the services' refusals
    as the command's error, in English."""
    with force_locale("en"):
        try:
            with unit_of_work():
                yield
        except EmailTaken as error:
            raise click.ClickException(f"an account for {error.email} already exists") from None
        except Invalid as error:
            raise click.ClickException(f"{error.code}: {error.message}") from None


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--division", "division_code", help="Division code (default: the first).")
def create_user(email: str, name: str, role: str, division_code: str | None) -> None:
    """Create a staff account; the password is read from standard input."""
    query = sa.select(Division).order_by(Division.id)
    if division_code:
        query = query.where(Division.code == division_code)
    division = db.session.scalars(query).first()
    if division is None:
        raise click.ClickException(
            f"no division {division_code!r}" if division_code else "no division exists yet"
        )
    password = (
        sys.stdin.readline().rstrip("\r\n")
        if not sys.stdin.isatty()
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    with administration():
        user = create_account(
            None, email=email, name=name, role=role, division_id=division.id, password=password
        )
    click.echo(f"created {role} {user.email} in division {division.code}")


@seed_cli.command("reference")
def seed_reference_command() -> None:
    """The starting divisions, categories, one deadline policy per kind and
    this and next year's holidays, for a new production database (no demo
    cases, no accounts); what is there already is kept. Administrators
    change them afterwards on /admin/."""
    from suggestion.seed import seed_reference_data

    with unit_of_work():
        divisions = seed_reference_data()
    click.echo(
        f"reference data is loaded: {len(divisions)} divisions ({', '.join(sorted(divisions))})"
    )


@seed_cli.command("demo")
def seed_demo_command() -> None:
    """Demo divisions, categories, policies, holidays and one user per role."""
    from suggestion.seed import seed_demo

    with unit_of_work():
        logins = seed_demo()
    click.echo("Demo data is loaded. Staff log-ins (password for all: see below):")
    for role, email in logins:
        click.echo(f"  {role:<10} {email}")
    from suggestion.seed import DEMO_PASSWORD

    click.echo(f"  password   {DEMO_PASSWORD}")


@holidays_cli.command("sync")
@click.option("--year", type=int, required=True, help="C.E. year, e.g. 2026")
def holidays_sync(year: int) -> None:
    """Load a year's Thai public and government holidays."""
    if not 1950 <= year <= 2200:
        raise click.BadParameter("give a C.E. year such as 2026", param_hint="--year")
    with administration():
        result = load_holidays(None, year=year)
    added = counted(result.added, "%(num)d holiday added", "%(num)d holidays added")
    click.echo(f"{year}: {added}, {result.updated} updated")


@sla_cli.command("deadline")
@click.option("--received", required=True, help="ISO date-time of receipt")
@click.option("--working-days", type=click.IntRange(0, 3650), required=True)
def sla_deadline(received: str, working_days: int) -> None:
    """Print the deadline of a period of working days, in the agency's zone."""
    from suggestion.core.settings import agency_zone
    from suggestion.deadlines.policies import deadline_after

    tz = agency_zone()
    try:
        moment = datetime.fromisoformat(received)
    except ValueError:
        raise click.BadParameter(
            "use ISO 8601, e.g. 2026-04-10T15:00", param_hint="--received"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    click.echo(deadline_after(moment, working_days).astimezone(tz).isoformat())


@sla_cli.command("sweep")
def sla_sweep() -> None:
    """Run one deadline sweep now and print what it did."""
    from suggestion.sla.sweep import run_sweep

    report = run_sweep()
    if report.skipped:
        click.echo("another sweep is running; nothing done")
        return
    counts = dict(report.counts)
    click.echo(
        f"sweep {report.run_id}: "
        + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due")
    )


@sla_cli.command("status")
def sla_status() -> None:
    """Open cases by time left, and the sweep's last run."""
    from suggestion.sla.status import open_cases_by_time_left
    from suggestion.sla.sweep import last_run

    for label, count in open_cases_by_time_left():
        click.echo(f"{label:<28} {count:>7}")
    run = last_run()
    if run is None:
        click.echo("the sweep has not run yet")
    else:
        state = f"finished {run.finished_at.isoformat()}" if run.finished_at else "did not finish"
        click.echo(f"last sweep: started {run.started_at.isoformat()}, {state}; {run.counts}")


@sla_cli.command("recompute")
@click.option("--kind", default=None, help="Only the open cases of this kind.")
def sla_recompute(kind: str | None) -> None:
    """Recompute the deadlines of open cases (after a change of policy or holidays)."""
    from suggestion.sla.recompute import recompute_open_deadlines

    result = recompute_open_deadlines(kind=kind, reason="flask sla recompute")
    checked = counted(result["checked"], "%(num)d open case checked", "%(num)d open cases checked")
    click.echo(f"{checked}, {result['moved']} moved")


class FiscalYear(click.ParamType):
    """A fiscal year in the Buddhist Era, by the rule the pages and the API use."""

    name = "fiscal_year"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        year = value if isinstance(value, int) else parse_fiscal_year(str(value))
        if year is None or not is_fiscal_year(year):
            self.fail(
                f"{value!r} is not a fiscal year in the Buddhist Era "
                f"({EARLIEST_FISCAL_YEAR}–{LATEST_FISCAL_YEAR}), such as 2569",
                param,
                ctx,
            )
        return year


@reports_cli.command("indicators")
@click.option("--fiscal-year", type=FiscalYear(), required=True, help="B.E., e.g. 2569")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    help="A kind, repeatable, or 'all' (default: complaint, corruption)",
)
@click.option("--format", "output", type=click.Choice(["json", "table"]), default="table")
def reports_indicators(fiscal_year: int, kinds: tuple[str, ...], output: str) -> None:
    """The indicators of a fiscal year (DESIGN §1.6)."""
    import json

    from suggestion.cases.states import Kind
    from suggestion.reports.indicators import fiscal_year_indicators

    valid = [k.value for k in Kind]
    if "all" in kinds:
        chosen: list[str] | None = valid
    else:
        unknown = [k for k in kinds if k not in valid]
        if unknown:
            raise click.BadParameter(
                f"{', '.join(unknown)}: use one of {', '.join(valid)} or all", param_hint="--kind"
            )
        chosen = list(kinds) or None
    result = fiscal_year_indicators(fiscal_year, chosen)
    if output == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return

    def shown(p: float | None) -> str:
        return "—" if p is None else f"{p:g}%"

    data = result.indicators
    r, st, rc, sat = (
        data.resolved_within_deadline,
        data.resolved_within_deadline_strict,
        result.received,
        data.satisfaction,
    )
    sign = "+" if rc.change > 0 else ("−" if rc.change < 0 else "±")
    change_pct = "—" if rc.change_percent is None else f"{sign}{abs(rc.change_percent):g}%"
    rows = [
        (
            "Fiscal year",
            f"{fiscal_year} ({data.period.first} – {data.period.last}), "
            f"kinds: {', '.join(data.kinds)}",
        ),
        ("Resolved within the deadline", f"{shown(r.percent)} ({r.on_time}/{r.resolved})"),
        ("  strict", f"{shown(st.percent)} ({st.on_time}/{st.total})"),
        (
            "Received, against last year",
            f"{rc.previous} → {rc.count} ({sign}{abs(rc.change)}, {change_pct})",
        ),
        ("Satisfied users", f"{shown(sat.percent)} ({sat.satisfied}/{sat.ratings})"),
        ("Acknowledged on time", f"{shown(data.acknowledged_on_time.percent)}"),
        (
            "Outcomes disputed by filers",
            f"{data.disputed_outcomes.disputed} of {data.disputed_outcomes.answers} answers",
        ),
        ("Median working days to outcome", str(data.median_working_days_to_outcome or "—")),
        ("Open now / overdue now", f"{data.now.open} / {data.now.overdue}"),
    ]
    for label, value in rows:
        click.echo(f"{label:<30} {value}")


@click.command("grant")
@click.argument("role")
@with_appcontext
def db_grant(role: str) -> None:
    """Grant the site's role exactly the rights the site needs.

    ROLE is the role the web and the workers connect as; it must own nothing
    (DESIGN §5). Run this as the owner after every `flask db upgrade`."""
    from suggestion.core.roles import grant
    from suggestion.core.roles import RoleError

    try:
        with db.engine.begin() as conn:
            granted = grant(conn, role)
    except RoleError as error:
        raise click.ClickException(f"{error}; nothing was granted") from None
    click.echo(f"{role} may now, in schema {granted.schema}:")
    for rights, names in (
        ("read and write", granted.read_write),
        ("read and append to (append-only)", granted.append_only),
        ("read", granted.read_only),
        ("draw numbers from", granted.sequences),
        ("call", granted.functions),
    ):
        if names:
            click.echo(f"  {rights}: {', '.join(names)}")
    click.echo("and nothing else: it owns nothing, so it cannot alter, drop or truncate.")


@click.command("check-deploy")
@with_appcontext
def check_deploy() -> None:
    """Check the production settings and the database; print each problem
    and exit non-zero if there is one (DESIGN §2)."""
    from flask import current_app

    from suggestion.core.deployment import deploy_problems

    problems = deploy_problems(current_app.config, db.engine)
    for problem in problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    if problems:
        count = len(problems)
        raise click.ClickException(f"{count} problem{'s' if count != 1 else ''} found")
    click.echo("No problems found.")


def init_app(app: Flask) -> None:
    for group in (users_cli, seed_cli, holidays_cli, sla_cli, reports_cli, cases_cli):
        app.cli.add_command(group)
    app.cli.add_command(check_deploy)
    from suggestion.ops.commands import backup_cli

    app.cli.add_command(backup_cli)
    from suggestion.ops.privacy import privacy_cli

    app.cli.add_command(privacy_cli)
    # Beside `flask db upgrade` (Flask-Migrate's group), where operators look.
    from flask_migrate.cli import db as db_cli

    db_cli.add_command(db_grant)
