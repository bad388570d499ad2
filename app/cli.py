"""The `policy-ledger` command: serve, migrate, seed. Thin: it calls the services."""

import logging
from pathlib import Path
from typing import Annotated

import typer

from app import migrate as migrations
from app.config import get_settings
from app.db import get_engines, session_scope
from app.scoring import rollups
from app.search import index as search_index
from app.seeding import SeedError, is_empty, load_seed, read_seed
from app.trust import audit
from app.trust import keys as api_keys
from app.trust.keys import Role
from app.trust.schemas import KeyRead

cli = typer.Typer(help="Policy Ledger: keeps score of think-tank predictions.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _setup_logging() -> None:
    logging.basicConfig(
        level=get_settings().log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default: HOST setting).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: PORT setting).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API with uvicorn."""
    import uvicorn

    settings = get_settings()
    # The standard library's event loop, not uvloop: under load uvloop left about 1 % of
    # requests waiting a second or more behind others whenever a handler ran for a few
    # milliseconds (bench/: track record p99 1,068 ms on uvloop, 103 ms on asyncio, at the
    # same throughput); get by id was no slower.
    uvicorn.run(
        "app.asgi:app", host=host or settings.host, port=port or settings.port,
        workers=workers, log_level=settings.log_level.lower(), proxy_headers=True,
        loop="asyncio",
    )


@cli.command()
def migrate(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
    down: Annotated[bool, typer.Option("--down", help="Migrate back to REVISION.")] = False,
) -> None:
    """Bring the database schema to a revision (default: the newest)."""
    _setup_logging()
    url = get_settings().database_url
    if down:
        migrations.downgrade(url, revision)
    else:
        migrations.upgrade(url, revision)
    typer.echo(f"database at revision {revision}")
    if not down and revision == "head":
        with session_scope(get_engines().write) as session:
            if rollups.is_stale(session):
                typer.echo("building score rollups for the predictions already stored")
                rollups.rebuild(session)
            if search_index.is_stale(session):
                typer.echo("building the full-text index for the records already stored")
                search_index.rebuild(session)


@cli.command("rebuild-scores")
def rebuild_scores() -> None:
    """Recompute the score rollups from the predictions (after a bulk load)."""
    _setup_logging()
    with session_scope(get_engines().write) as session:
        rows = rollups.rebuild_and_record(session)
    typer.echo(f"score rollups rebuilt: {rows} rows")


@cli.command()
def seed(
    file: Annotated[Path | None, typer.Option(help="Seed file (default: SEED_FILE).")] = None,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the database holds records.")
    ] = False,
) -> None:
    """Load the curated seed records; records already present (by slug) are left alone."""
    path = file or get_settings().seed_file
    engines = get_engines()
    try:
        data = read_seed(path)
        with session_scope(engines.write) as session:
            if if_empty and not is_empty(session):
                typer.echo("database already holds records; seed skipped")
                return
            report = load_seed(session, data, progress=_progress)
    except SeedError as exc:
        typer.echo(f"seed refused, nothing changed: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"seed loaded: {report.created} records created")


keys_cli = typer.Typer(help="Manage API keys; only their hashes are stored.",
                       no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")


@keys_cli.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who holds the key (shown as annotation author).")],
    role: Annotated[Role, typer.Option(help="reader, analyst, editor or admin.")],
) -> None:
    """Create a key and print it once (the last line of output); it cannot be shown again."""
    if not 1 <= len(name) <= 100:
        raise typer.BadParameter("the name must be 1 to 100 characters", param_hint="--name")
    with session_scope(get_engines().write) as session:
        row, key = api_keys.create_key(session, name, role)
        read = KeyRead.model_validate(row)
        audit.record(session, None, "api_key", read.id, "create", None, read, actor="cli")
    typer.echo(f"key {read.id} created for {name!r} with the {role.value} role; "
               "store it now, it is not shown again:", err=True)
    typer.echo(key)


@keys_cli.command("list")
def keys_list() -> None:
    """List keys (never their secrets): id, name, role, created, last used, revoked."""
    with session_scope(get_engines().read) as session:
        rows = api_keys.list_keys(session)
    typer.echo(f"{'id':>4}  {'name':<24} {'role':<8} {'public id':<13} {'created':<20} "
               f"{'last used':<20} revoked")
    for k in rows:
        stamp = [t.strftime("%Y-%m-%d %H:%M:%S") if t else "-"
                 for t in (k.created_at, k.last_used_at, k.revoked_at)]
        typer.echo(f"{k.id:>4}  {k.name[:24]:<24} {k.role:<8} {k.public_id:<13} "
                   f"{stamp[0]:<20} {stamp[1]:<20} {stamp[2]}")


@keys_cli.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="The key's id (see `keys list`).")]
                ) -> None:
    """Revoke a key; it stops working at once."""
    from app.models import ApiKey

    with session_scope(get_engines().write) as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            typer.echo(f"no key with id {key_id}", err=True)
            raise typer.Exit(code=1)
        if row.revoked_at is not None:
            typer.echo(f"key {key_id} was already revoked")
            return
        before = KeyRead.model_validate(row)
        after = KeyRead.model_validate(api_keys.revoke_key(session, row))
        audit.record(session, None, "api_key", key_id, "revoke", before, after, actor="cli")
    typer.echo(f"key {key_id} ({row.name}) revoked")


@cli.command("bench-data")
def bench_data(
    predictions: Annotated[
        int, typer.Option(min=1, help="Predictions to create; every other count scales.")
    ] = 200_000,
    seed: Annotated[int, typer.Option(help="Random seed: one seed, identical rows.")] = 7,
    database_url: Annotated[
        str | None, typer.Option(help="Database to fill (default: DATABASE_URL).")
    ] = None,
) -> None:
    """Fill a database with a large, realistic dataset for load benchmarks.

    Migrates, loads the seed article, then bulk-inserts organizations, analysts, reports
    with their documents, actors, topics, predictions with forecasts and resolutions,
    recommendations with status histories, and annotations; index rows and score rollups
    are written too. Refuses a database that already holds other predictions.
    """
    import gc
    import time

    from app import benchdata
    from app.db import build_engines
    from app.types import frozen_clock

    settings = get_settings()
    url = database_url or settings.database_url
    started = time.perf_counter()
    migrations.upgrade(url)
    engines = build_engines(url)
    try:
        seed_data = read_seed(settings.seed_file)
        with session_scope(engines.write) as session:
            extra = benchdata.extra_predictions(
                session, {str(p.get("slug")) for p in seed_data["predictions"]})
            if extra:
                typer.echo(f"bench-data refused: the database already holds {extra} "
                           "predictions besides the seed article's; use an empty database",
                           err=True)
                raise typer.Exit(code=1)
            with frozen_clock(benchdata.SEED_AT):
                load_seed(session, seed_data)
        with session_scope(engines.write) as session:
            first = benchdata.first_ids(session)
        typer.echo(f"drawing {predictions:,} predictions (seed {seed})", err=True)
        gc.disable()  # millions of long-lived objects: collection passes would only cost time
        plan = benchdata.plan(predictions, seed, first)
        typer.echo(f"plan drawn in {time.perf_counter() - started:.1f} s; writing", err=True)
        benchdata.load_bulk(engines.write, plan, benchdata.stderr_progress())
        counts = benchdata.row_counts(engines.write)
    except SeedError as exc:
        typer.echo(f"bench-data refused: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    finally:
        gc.enable()
        engines.dispose()
    typer.echo(f"bench data loaded in {time.perf_counter() - started:.1f} s; rows stored:")
    for table, n in counts.items():
        typer.echo(f"  {table:<30} {n:>10,}")


def _progress(section: str, created: int, present: int) -> None:
    typer.echo(f"  {section:<16} {created:>4} created {present:>4} already present")


def main() -> None:
    """Entry point of the console script."""
    cli()


if __name__ == "__main__":
    main()
