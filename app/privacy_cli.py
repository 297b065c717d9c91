"""`genba privacy delete-worker|purge`: a worker's deletion request and the retention purge.

The same work as the admin API's /privacy routes (storage/erasure.py, storage/retention.py),
for an operator at the server; both take `--dry-run` to see what would go.
"""

from __future__ import annotations

from typing import Annotated

import typer

privacy_cli = typer.Typer(
    help="Privacy operations: delete a worker's data (APPI), purge old rejected items and drafts.",
    no_args_is_help=True,
)

CLI_ACTOR = "command line"
DryRun = Annotated[bool, typer.Option("--dry-run", help="Only count what would go.")]


@privacy_cli.command("delete-worker")
def delete_worker(
    worker: Annotated[
        str,
        typer.Argument(
            help="The contributor id (as the API shows it), a submission code, or a LINE user id."
        ),
    ],
    dry_run: DryRun = False,
) -> None:
    """Delete everything of one worker: items, photos and files, conversation, profile."""
    from app.cli import admin_database, settings_or_fail
    from app.clock import system_clock
    from app.services import media_store
    from storage import erasure

    if not worker.strip() or len(worker) > 64 or not worker.isprintable():
        raise _fail("give a contributor id, a submission code or a LINE user id")
    blobs = media_store(settings_or_fail())
    try:
        with admin_database() as db:
            done = erasure.erase_worker(
                db, blobs, worker, actor=CLI_ACTOR, now=system_clock(), dry_run=dry_run
            )
    finally:
        blobs.close()
    if not done.found:
        typer.echo(
            "This worker's data was deleted already."
            if done.already
            else "Nothing stored matches: nothing to delete (deleted already, or never here)."
        )
        return
    counts = (
        f"{done.submissions} submission(s), {done.media} photo(s), {done.events} message(s), "
        f"{done.jobs} waiting job(s)"
    )
    if dry_run:
        typer.echo(f"Would delete {counts}. Run again without --dry-run to delete them.")
        return
    typer.echo(
        f"Deleted {counts} and {done.files} stored file(s). Audit reference {done.reference}."
    )


@privacy_cli.command("purge")
def purge(
    days: Annotated[
        int | None,
        typer.Option(
            min=1, max=3650, help="Older than this many days (default: GENBA_RETENTION_DAYS)."
        ),
    ] = None,
    dry_run: DryRun = False,
) -> None:
    """Delete rejected items and unfinished drafts unchanged for N days, with their files."""
    from app.cli import admin_database, settings_or_fail
    from app.clock import system_clock
    from app.services import media_store
    from storage import retention

    settings = settings_or_fail()
    days = days or settings.retention_days
    if days is None:
        raise _fail("give --days N, or set GENBA_RETENTION_DAYS")
    blobs = media_store(settings)
    try:
        with admin_database() as db:
            done = retention.purge_expired(
                db, blobs, days=days, now=system_clock(), actor=CLI_ACTOR, dry_run=dry_run
            )
    finally:
        blobs.close()
    counts = (
        f"{done.rejected} rejected item(s) and {done.drafts} draft(s) with {done.media} photo(s)"
    )
    when = done.cutoff.strftime("%Y-%m-%d %H:%MZ")
    if dry_run:
        typer.echo(f"Would purge {counts}, unchanged since {when}.")
        return
    typer.echo(f"Purged {counts} ({done.files} stored file(s)), unchanged since {when}.")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"genba privacy: {message}", err=True)
    return typer.Exit(code=2)
