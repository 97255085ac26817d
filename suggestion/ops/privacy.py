"""``flask privacy retention [--dry-run]`` (DESIGN §2): anonymise now the
cases past their retention period, as beat does daily, and print what it did
— counts only, never a name, code or address: the output goes to logs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from suggestion.cases.anonymise import kind_counts
from suggestion.core.audit import AdminActor
from suggestion.privacy.forgetting import run_retention

privacy_cli = AppGroup("privacy", help="Personal data (PDPA B.E. 2562).")


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; write nothing.")
def retention(dry_run: bool) -> None:
    """Anonymise the filer's personal data of every case past its retention
    period (not under a legal hold), batch by batch; print what it did."""
    report = run_retention(dry_run=dry_run, actor_label=AdminActor.COMMAND_LINE)
    if report.skipped:
        click.echo("another retention run is in progress; nothing done")
        return
    verb = "would anonymise" if dry_run else "anonymised"
    per_kind = ", ".join(f"{kind.value} {n}" for kind, n in kind_counts(report))
    click.echo(f"{verb} {report.total} cases ({per_kind})")
    click.echo(f"{'would remove' if dry_run else 'removed'} {report.files} files")
    click.echo(f"kept under a legal hold: {report.held} cases past their period")
    if not dry_run:
        click.echo(f"data-subject requests that forgot their requester: {report.requests}")
    if dry_run:
        click.echo("dry run: nothing was written")
