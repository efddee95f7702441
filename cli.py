"""Command-line entry: demo data, schema upgrade, boundary import, benchmark.

    python cli.py demo --scale city --seed 7 [--as-of 2026-11-15]
    python cli.py ensure-demo --scale city      # upgrade schema; generate only if empty
    python cli.py upgrade-db
    python cli.py import-boundaries townships.geojson --code-field code
    python cli.py bench
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="阳光监督驾驶舱 Sunshine Supervision Dashboard — command line")

SCALES = ("county", "city", "province")


def _engine(database_url: str | None):
    from data.db import make_engine
    from settings import load_settings
    return make_engine(database_url or load_settings().database_url)


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD: {value!r}")


def _check_scale(scale: str) -> str:
    if scale not in SCALES:
        raise typer.BadParameter(f"规模须为 / scale must be one of {', '.join(SCALES)}: {scale!r}")
    return scale


@app.command("upgrade-db")
def upgrade_db(database_url: str = typer.Option(None, help="SQLAlchemy URL (default: settings)")):
    """Create or upgrade the database schema to the newest revision (Alembic)."""
    from data.migrate import upgrade
    upgrade(_engine(database_url))
    typer.echo("schema up to date")


@app.command()
def demo(scale: str = typer.Option("city", callback=_check_scale, help="county | city | province"),
         seed: int = typer.Option(7, help="random seed: same seed, same data"),
         as_of: str = typer.Option(None, help="last day (Sunday) of the last week, YYYY-MM-DD"),
         database_url: str = typer.Option(None, help="SQLAlchemy URL (default: settings)"),
         quiet: bool = typer.Option(False, help="no progress bar")):
    """Generate a complete, deterministic two-year demo dataset (replaces existing data)."""
    from data.demo import generate
    from data.migrate import upgrade
    engine = _engine(database_url)
    upgrade(engine)
    started = dt.datetime.now()
    summary = generate(engine, scale=scale, seed=seed, as_of=_parse_date(as_of), progress=not quiet)
    seconds = (dt.datetime.now() - started).total_seconds()
    typer.echo(f"demo data ({scale}, seed {seed}) written in {seconds:.1f} s: {summary}")


@app.command("ensure-demo")
def ensure_demo(scale: str = typer.Option("city", callback=_check_scale),
                seed: int = typer.Option(7),
                database_url: str = typer.Option(None)):
    """Upgrade the schema; generate demo data only when the database holds none yet."""
    from sqlalchemy import func, select

    from data.migrate import upgrade
    from data.schema import Region
    engine = _engine(database_url)
    upgrade(engine)
    with engine.connect() as conn:
        regions = conn.execute(select(func.count()).select_from(Region)).scalar_one()
    if regions:
        typer.echo(f"database already holds data ({regions} regions); not regenerating")
        return
    typer.echo("first run: generating demo data …")
    demo(scale=scale, seed=seed, as_of=None, database_url=database_url, quiet=False)


@app.command("import-boundaries")
def import_boundaries(path: Path = typer.Argument(..., exists=True, readable=True),
                      code_field: str = typer.Option("code", help="attribute holding the division code"),
                      database_url: str = typer.Option(None)):
    """Load a real township/village boundary file (GeoJSON or Shapefile); all or nothing."""
    from geo.importer import import_boundaries as run_import
    from data.migrate import upgrade
    engine = _engine(database_url)
    upgrade(engine)
    with engine.connect() as conn:  # one transaction: boundaries (if clean) + the batch record
        result = run_import(conn, path, code_field=code_field)
        conn.commit()
    for problem in result.problems:
        typer.echo(str(problem), err=True)
    if result.problems:
        typer.echo(f"未导入任何边界 / nothing imported: {len(result.problems)} problem(s), "
                   f"batch {result.batch_id}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"loaded {result.loaded} boundaries from {path} (batch {result.batch_id})")


@app.command()
def bench(scales: str = typer.Option("city,province", help="comma-separated scales to measure"),
          repeat: int = typer.Option(30, help="calls per callback and case"),
          only: str = typer.Option("", help="comma-separated parts of callback names to keep, e.g. 'funds.'")):
    """Print p50/p95 server-side time of the dashboard callbacks and the map bytes."""
    from bench.run import main as run_bench
    run_bench([s.strip() for s in scales.split(",") if s.strip()], repeat=repeat,
              only=tuple(p.strip() for p in only.split(",") if p.strip()))


if __name__ == "__main__":
    sys.exit(app())
