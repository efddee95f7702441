"""Command-line entry: demo data, schema upgrade, boundary import, benchmark.

    python cli.py demo --scale city --seed 7 [--as-of 2026-11-15]
    python cli.py ensure-demo --scale city      # upgrade schema; generate only if empty
    python cli.py upgrade-db
    python cli.py import-boundaries townships.geojson --code-field code
    python cli.py bench [--scales city] [--visits 5] [--no-postgres | --postgres URL] [--no-callbacks]
    python cli.py briefing --week 2026-W46 --region 431000 --out briefing.pptx --out briefing.pdf
    echo "$PASSWORD" | python cli.py users add zhang --role commission --scope 431023 --password-stdin
    python cli.py users list | set-role NAME ROLE | set-scope NAME CODES | disable NAME
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="阳光监督驾驶舱 Sunshine Supervision Dashboard — command line")

users_app = typer.Typer(no_args_is_help=True, help="账号 / accounts: roles and jurisdictions")
app.add_typer(users_app, name="users")
SCALES = ("county", "city", "province")
DB_OPTION = typer.Option(None, "--database-url", help="SQLAlchemy URL (default: settings)")


def _engine(database_url: str | None):
    from data.model.db import make_engine
    from settings import load_settings
    return make_engine(database_url or load_settings().database_url)


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD: {value!r}") from exc


def _check_scale(scale: str) -> str:
    if scale not in SCALES:
        raise typer.BadParameter(f"规模须为 / scale must be one of {', '.join(SCALES)}: {scale!r}")
    return scale


@app.command("upgrade-db")
def upgrade_db(database_url: str = typer.Option(None, help="SQLAlchemy URL (default: settings)")):
    """Create or upgrade the database schema to the newest revision (Alembic)."""
    from data.intake.base import prepare_database
    prepare_database(_engine(database_url))
    typer.echo("schema up to date")


@app.command("rebuild-rollups")
def rebuild_rollups(database_url: str = typer.Option(None, help="SQLAlchemy URL (default: settings)")):
    """Upgrade the schema, then rebuild every rollup table from the raw rows (one transaction)."""
    from data.intake.base import prepare_database
    from data.rollups import rebuild_all
    engine = _engine(database_url)
    prepare_database(engine)
    with engine.begin() as conn:
        counts = rebuild_all(conn)
    typer.echo(f"rebuilt {len(counts)} rollups: {sum(counts.values()):,} rows")


@app.command()
def demo(scale: str = typer.Option("city", callback=_check_scale, help="county | city | province"),
         seed: int = typer.Option(7, help="random seed: same seed, same data"),
         as_of: str | None = typer.Option(None, help="last day (Sunday) of the last week, YYYY-MM-DD"),
         database_url: str = typer.Option(None, help="SQLAlchemy URL (default: settings)"),
         quiet: bool = typer.Option(False, help="no progress bar"),
         export: Path = typer.Option(None, "--export", help="write the demo as exchange files into this folder "
                                     "(built in a scratch database; the database is not touched)")):
    """Generate a complete, deterministic two-year demo dataset and load it through the
    front door: written as exchange files, imported by the import service (replaces
    existing data)."""
    from demo.front_door import load_demo
    if export is not None:
        _export_demo(scale, seed, _parse_date(as_of), export, quiet)
        return
    engine = _engine(database_url)  # load_demo upgrades the schema itself
    started = dt.datetime.now()
    result = _with_progress(lambda progress: load_demo(engine, scale=scale, seed=seed, as_of=_parse_date(as_of),
                                                       progress=not quiet, on_file=progress),
                            10, quiet=quiet)
    seconds = (dt.datetime.now() - started).total_seconds()
    typer.echo(f"demo data ({scale}, seed {seed}) imported in {seconds:.1f} s: {result.summary()}")


def _export_demo(scale: str, seed: int, as_of, out: Path, quiet: bool) -> None:
    import tempfile

    from data.intake.base import prepare_database
    from data.intake.export import export_exchange
    from demo import generate
    with tempfile.TemporaryDirectory(prefix="sunshine-export-") as scratch:
        engine = _engine(f"sqlite:///{scratch}/demo.db")
        prepare_database(engine)
        generate(engine, scale=scale, seed=seed, as_of=as_of, progress=not quiet)
        with engine.connect() as conn:
            counts = export_exchange(conn, out)
        engine.dispose()
    typer.echo(f"exchange files in {out}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


@app.command("ensure-demo")
def ensure_demo(scale: str = typer.Option("city", callback=_check_scale),
                seed: int = typer.Option(7),
                database_url: str = typer.Option(None)):
    """Upgrade the schema; generate demo data only when the database holds none yet; on a
    demo database without accounts, make one demo account per role and print them once."""
    from sqlalchemy import func, select

    from data.intake.base import prepare_database
    from data.model.schema import Region
    engine = _engine(database_url)
    prepare_database(engine)
    with engine.connect() as conn:
        regions = conn.execute(select(func.count()).select_from(Region)).scalar_one()
    if regions:
        typer.echo(f"database already holds data ({regions} regions); not regenerating")
    else:
        typer.echo("first run: generating demo data …")
        demo(scale=scale, seed=seed, as_of=None, database_url=database_url, quiet=False)
    _ensure_demo_accounts(engine)


def _ensure_demo_accounts(engine) -> None:
    """Demo accounts on a demo dataset that has no accounts at all (never otherwise)."""
    import getpass

    from data.model.schema import DatasetInfo
    from data.queries import fetch_dataset_info
    from data.users import DEMO_ACCOUNTS_KEY, count_users, create_demo_accounts
    with engine.begin() as conn:
        info = fetch_dataset_info(conn)
        if count_users(conn) or not info.get("scale") or not info.get("root_code"):
            return
        made = create_demo_accounts(conn, info["root_code"], actor=f"cli:{getpass.getuser()}")
        conn.execute(DatasetInfo.__table__.insert().values(key=DEMO_ACCOUNTS_KEY, value="1"))
    typer.echo("\n演示账号（一次性密码，只显示这一次，首次登录后须修改）/ demo accounts "
               "(one-time passwords, shown only now; change at first sign-in):")
    for name, role, password in made:
        typer.echo(f"  {name:<18} {role:<11} {password}")
    typer.echo("")


@app.command("import-boundaries")
def import_boundaries(path: Path = typer.Argument(..., exists=True, readable=True),
                      code_field: str = typer.Option("code", help="attribute holding the division code"),
                      database_url: str = typer.Option(None)):
    """Load a real township/village boundary file (GeoJSON or Shapefile); all or nothing."""
    from data.intake.base import prepare_database
    from geo.importer import import_boundaries as run_import
    engine = _engine(database_url)
    prepare_database(engine)
    with engine.connect() as conn:  # one transaction: boundaries (if clean), the batch record, the audit row
        result = run_import(conn, path, code_field=code_field)
        _audit_cli(conn, "import_boundaries", f"file:{path.name}",
                   {"batch": result.batch_id, "loaded": result.loaded, "problems": len(result.problems)})
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
          only: str = typer.Option("", help="comma-separated parts of callback names to keep, e.g. 'funds.'"),
          callbacks: bool = typer.Option(True, help="the server-side callback, map-layer, job and rule tables"),
          pages: bool = typer.Option(True, help="also visit every navbar page in headless chromium, cold and "
                                                 "warm: ready, charts above the fold drawn, JS bytes, callback "
                                                 "requests and rounds (bench/page_ready.py)"),
          visits: int = typer.Option(5, min=1, help="page visits per page and case (cold, warm); medians"),
          postgres: str = typer.Option("postgresql://postgres@127.0.0.1:5432/sunshine_bench", "--postgres",
                                       metavar="URL",
                                       help="PostgreSQL database for the province-scale callbacks beside SQLite "
                                            "(created and filled with the demo once; not reachable: SQLite only)"),
          no_postgres: bool = typer.Option(False, "--no-postgres", help="SQLite only"),
          intake: bool = typer.Option(True, help="also the import budgets (city exchange files, a county month)"),
          load: bool = typer.Option(True, help="also the load bench: simulated users on the production server "
                                               "(gunicorn), alone and during a city import"),
          load_seconds: int = typer.Option(120, help="duration of each load run, seconds"),
          load_users: int = typer.Option(50, help="simulated users of the load bench")):
    """Print p50/p95 server-side time of the dashboard callbacks (province scale on SQLite
    and PostgreSQL side by side), the map bytes, the one-off jobs, the page visits, the
    import budgets and the load bench."""
    from bench.run import main as run_bench
    run_bench([s.strip() for s in scales.split(",") if s.strip()], repeat=repeat,
              only=tuple(p.strip() for p in only.split(",") if p.strip()), pages=pages, intake=intake,
              callbacks=callbacks, visits=visits, postgres=None if no_postgres else postgres,
              load=load, load_seconds=load_seconds, load_users=load_users)


@app.command()
def briefing(week: str = typer.Option(None, help="ISO week, e.g. 2026-W46 (default: latest week with data)"),
             region: str = typer.Option(None, help="region code, e.g. 431000 (default: the dataset's root)"),
             out: list[Path] = typer.Option(..., help="output file, .pptx or .pdf; repeat for both"),
             lang: str = typer.Option("zh-CN", help="zh-CN or en"),
             scope: str = typer.Option("", help="jurisdiction, region codes comma separated "
                                               "(default: the dataset's root region)"),
             database_url: str = typer.Option(None, help="SQLAlchemy URL (default: settings)")):
    """Write the weekly briefing (PPTX and/or PDF), e.g. every Monday from cron."""
    import time

    from data import queries
    from data.calendar import format_week, parse_week
    from data.model.version import data_version
    from data.scope import Scope
    from exports.briefing import BriefingError
    from exports.images import ExportError
    from i18n import normalize_lang
    from settings import load_settings
    from views.briefing_files import write_briefing

    settings = load_settings()
    engine = _engine(database_url)
    formats = {}
    for path in out:
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("pptx", "pdf"):
            raise typer.BadParameter(f"输出文件须为 .pptx 或 .pdf / --out must end in .pptx or .pdf: {path}")
        formats[fmt] = path
    with engine.connect() as conn:
        weeks = queries.fetch_weeks(conn)
        root = queries.fetch_dataset_info(conn).get("root_code")
    try:
        jurisdiction = Scope.of(*(_codes(scope) or ([root] if root else [])))
    except ValueError as exc:
        raise typer.BadParameter(f"不是地区代码 / not a region code: {scope!r}") from exc
    try:
        week_key = parse_week(week) if week else (weeks[0] if weeks else None)
    except ValueError as exc:
        raise typer.BadParameter(f"周次格式应为 2026-W46 / week must look like 2026-W46: {week!r}") from exc
    if week_key is None or week_key not in weeks:
        typer.echo(f"没有该周的数据 / no data for week {week}", err=True)
        raise typer.Exit(code=1)
    started = time.perf_counter()
    try:
        result = write_briefing(engine, jurisdiction, region or root or "", format_week(week_key), normalize_lang(lang),
                                formats, cache_dir=settings.cache_dir, version=data_version(engine),
                                settings=settings)
    except (BriefingError, ExportError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from exc
    seconds = time.perf_counter() - started
    for path in formats.values():
        typer.echo(f"{result.title}: {path} ({path.stat().st_size:,} bytes)")
    typer.echo(f"written in {seconds:.1f} s")


def _audit_cli(conn, action: str, obj: str, detail: dict) -> None:
    """An audit_log row for a command run from the shell (who: the system user)."""
    from data import audit
    audit.record(conn, user=_cli_user(), action=action, obj=obj, detail=detail, address="cli")


def _accounts(database_url: str | None, change) -> None:
    """Run `change(conn, actor)` in one transaction; a refused change exits 1 with its reason."""
    import getpass

    from data.access import UnknownRole
    from data.intake.base import prepare_database
    from data.users import UserError
    engine = _engine(database_url)
    prepare_database(engine)
    try:
        with engine.begin() as conn:
            change(conn, f"cli:{getpass.getuser()}")
    except (UserError, UnknownRole, ValueError) as exc:
        typer.echo(f"未完成 / refused: {exc}", err=True)
        raise typer.Exit(code=1) from exc


def _stdin_password(flag: bool) -> str:
    if not flag:
        raise typer.BadParameter("give the password on standard input with --password-stdin")
    return sys.stdin.readline().rstrip("\r\n")


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


@users_app.command("add")
def users_add(name: str, role: str = typer.Option(..., help="leader | commission | staff | data_admin | auditor | admin"),
              scope: str = typer.Option("", help="region codes, comma separated (6 or 12 digits)"),
              password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
              display_name: str = typer.Option("", help="name shown in the navbar"),
              database_url: str | None = DB_OPTION):
    """Create an account."""
    from data.users import add_user
    password = _stdin_password(password_stdin)
    _accounts(database_url, lambda conn, actor: add_user(conn, name, role, _codes(scope), password,
                                                         actor=actor, display_name=display_name))
    typer.echo(f"user {name} created ({role})")


@users_app.command("list")
def users_list(database_url: str | None = DB_OPTION):
    """Accounts with role, jurisdiction and state (no password data)."""
    from data.users import list_users
    _accounts(database_url, lambda conn, actor: typer.echo(list_users(conn).to_string(index=False)))


@users_app.command("set-role")
def users_set_role(name: str, role: str, database_url: str | None = DB_OPTION):
    from data.users import set_role
    _accounts(database_url, lambda conn, actor: set_role(conn, name, role, actor=actor))
    typer.echo(f"user {name}: role {role}")


@users_app.command("set-scope")
def users_set_scope(name: str, codes: str, database_url: str | None = DB_OPTION):
    from data.users import set_scope
    _accounts(database_url, lambda conn, actor: set_scope(conn, name, _codes(codes), actor=actor))
    typer.echo(f"user {name}: jurisdiction {codes}")


@users_app.command("disable")
def users_disable(name: str, database_url: str | None = DB_OPTION):
    from data.users import disable_user
    _accounts(database_url, lambda conn, actor: disable_user(conn, name, actor=actor))
    typer.echo(f"user {name} disabled")


@users_app.command("reset-password")
def users_reset_password(name: str, password_stdin: bool = typer.Option(False, "--password-stdin"),
                         database_url: str | None = DB_OPTION):
    """A new password (from stdin); also lifts a lockout."""
    from data.users import reset_password
    password = _stdin_password(password_stdin)
    _accounts(database_url, lambda conn, actor: reset_password(conn, name, password, actor=actor))
    typer.echo(f"user {name}: password reset")


@app.command("import")
def import_files(paths: list[Path] = typer.Argument(..., help="exchange files (CSV/XLSX) or folders of them"),
                 dataset: str = typer.Option(None, help="the dataset of every file (default: from each file name)"),
                 dry_run: bool = typer.Option(False, "--dry-run", help="read and validate only; store nothing"),
                 as_json: bool = typer.Option(False, "--json", help="one JSON object per file instead of a table"),
                 database_url: str | None = DB_OPTION,
                 as_user: str = typer.Option(None, "--as-user", hidden=True,
                                             help="the web user the /data page imports for"),
                 address: str = typer.Option(None, hidden=True, help="the web user's address"),
                 scope: str = typer.Option(None, hidden=True, help="comma-separated region codes the rows must lie in")):
    """Load exchange files (datasets in dependency order, each file in one transaction):
    every row read, validated and its references checked, every problem with its line,
    column, value and reason; good rows loaded, bad rows kept for the error report. Exit
    0 when every file was read (rows may still be rejected), 2 when a file could not be
    read at all or misses a required column."""
    import json

    from rich.console import Console
    from rich.table import Table

    from data.intake.base import prepare_database
    from data.intake.service import expand, import_paths
    if dataset is not None and dataset not in _datasets():
        raise typer.BadParameter(f"未知数据集 / unknown dataset {dataset!r}: {', '.join(_datasets())}")
    engine = _engine(database_url)
    prepare_database(engine)
    files = expand(paths, dataset)
    jurisdiction = [c for c in scope.split(",") if c] if scope is not None else None
    reports = _with_progress(lambda progress: import_paths(engine, files, user=as_user or _cli_user(), dataset=dataset,
                                                         dry_run=dry_run, progress=progress, scope=jurisdiction,
                                                         address=address or "cli"),
                             len(files), quiet=as_json)
    if as_json:
        for report in reports:
            typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        table = Table(title="导入检查 / import check (dry run)" if dry_run else "导入 / import")
        for col in ("file", "dataset", "batch", "rows", "would load" if dry_run else "loaded", "updated",
                    "unchanged", "rejected", "problem"):
            table.add_column(col)
        for r in reports:
            problem = r.unreadable or (str(r.errors[0]) + (f" (+{len(r.errors) - 1})" if len(r.errors) > 1 else "")
                                       if r.errors else "")
            if r.same_file_as:
                problem = (f"同一文件已由批次 {r.same_file_as} 导入，未作改动 / same file as batch "
                           f"{r.same_file_as}: nothing changed. {problem}")
            table.add_row(r.file, r.dataset or "—", str(r.batch or "—"), str(r.rows), str(r.loaded), str(r.updated),
                          str(r.unchanged), str(r.rejected), problem)
        Console().print(table)
        for r in reports:  # in full, not cut to the table's width
            for line in ([r.unreadable] if r.unreadable else [str(e) for e in r.errors[:50]]):
                typer.echo(line, err=True)
    if any(r.unreadable for r in reports):
        raise typer.Exit(code=2)


def _datasets() -> tuple[str, ...]:
    from data.intake.datasets import LOAD_ORDER
    return LOAD_ORDER


def _cli_user() -> str:
    """Who runs a command, for the import history and the audit log."""
    import getpass
    return f"cli:{getpass.getuser()}"


def _with_progress(run, files: int, *, quiet: bool):
    """Run `run(progress)` with a rich bar over the files and their stages (on stderr); to
    a log or a pipe, one line per stage as it starts."""
    from rich.console import Console
    from rich.progress import Progress, TaskID

    if not sys.stderr.isatty():
        return run(lambda name, stage: print(f"{name}: {stage}", file=sys.stderr, flush=True))
    if quiet:
        return run(None)
    stages = ("read", "references", "load", "rollups")
    with Progress(console=Console(stderr=True), transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, stage: str) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=len(stages))
            bar.update(tasks[name], completed=stages.index(stage) + 1 if stage in stages else 0,
                       description=f"{name}: {stage}")
        result = run(progress)
        for task in tasks.values():
            bar.update(task, completed=len(stages))
        return result


@app.command("import-undo")
def import_undo(batch: int = typer.Argument(..., help="the batch number the import printed"),
                database_url: str | None = DB_OPTION):
    """Remove one import batch and put back the rows it replaced (rollups included)."""
    from data.intake.service import UndoRefused, undo
    engine = _engine(database_url)
    try:
        result = undo(engine, batch, user=_cli_user())
    except UndoRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"批次 {batch} 已撤销 / batch {batch} undone: {result['removed']} removed, "
               f"{result['restored']} restored")


@app.command("import-template")
def import_template(dataset: str = typer.Argument(..., help="regions | fund_programs | ... (see the exchange format)"),
                    out: Path = typer.Option(None, help="where to write it (default: <dataset>_模板.xlsx here)")):
    """Write the XLSX template of one exchange-format dataset: header, an example row and a
    sheet that explains every column."""
    from data.intake.datasets import DATASETS
    from exports.templates import template_xlsx
    if dataset not in DATASETS:
        typer.echo(f"没有该数据集 / unknown dataset {dataset!r}; one of: {', '.join(DATASETS)}", err=True)
        raise typer.Exit(code=2)
    target = out or Path(f"{dataset}_模板.xlsx")
    target.write_bytes(template_xlsx(DATASETS[dataset]))
    typer.echo(f"{target} ({target.stat().st_size:,} bytes)")


audit_app = typer.Typer(help="The audit log (审计日志): check its hash chain.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(database_url: str | None = DB_OPTION):
    """Recompute the chain of every audit_log row: exit 0 when whole, 1 when a row was
    edited or deleted (the first such rows are listed)."""
    from data.audit import verify
    engine = _engine(database_url)
    with engine.connect() as conn:
        check = verify(conn)
    for problem in check.broken:
        typer.echo(f"审计链断裂 / chain broken at row {problem['id']}: {problem['reason']}", err=True)
    if not check.ok:
        raise typer.Exit(code=1)
    typer.echo(f"审计链完整 / audit chain intact: {check.rows} rows; last row {check.last_id}, "
               f"hash {check.last_hash}")


rules_app = typer.Typer(help="比对规则 / the comparison rules: check and apply the rule library, run the rules.",
                        no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("check")
def rules_check(path: Path = typer.Argument(None, help="a rule library file (default: the shipped data/rules/rules.yaml)")):
    """Check a rule library file: every problem with its line; exit 1 when there is any.
    Nothing is stored."""
    from data.rules.library import SHIPPED, RuleFileError, parse_library
    path = path or SHIPPED
    try:
        library = parse_library(path.read_text(encoding="utf-8"), path.name)
    except RuleFileError as exc:
        _print_problems(path, exc)
        raise typer.Exit(code=1) from None
    for rule in library.rules:
        typer.echo(f"{'✓' if rule.on else '·'} {rule.code:<24} {rule.severity:<7} {rule.finding_zh}  {rule.params}")


def _print_problems(path: Path, refused) -> None:
    """Every problem of a refused rule file, with the file's name and the line."""
    for problem in refused.problems:
        typer.echo(f"{path.name} {problem}", err=True)


@rules_app.command("apply")
def rules_apply(path: Path = typer.Argument(..., exists=True, readable=True, help="the rule library file"),
                database_url: str | None = DB_OPTION):
    """Make a rule library file the one in use (checked whole first: a file with any
    problem is refused, exit 1, and the rules in use stay as they were). The change is
    audited; the next run (an import's, or `rules run`) uses it."""
    from data.intake.base import prepare_database
    from data.rules.library import RuleFileError, apply_library
    engine = _engine(database_url)
    prepare_database(engine)
    try:
        with engine.begin() as conn:
            library = apply_library(conn, path.read_text(encoding="utf-8"), source=path.name, user=_cli_user())
            _audit_cli(conn, "rules_apply", f"file:{path.name}",
                       {"sha256": library.sha256, "on": [r.code for r in library.enabled()]})
    except RuleFileError as exc:
        _print_problems(path, exc)
        typer.echo("规则库未启用，原规则不变 / not applied: the rules in use stay as they were", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"规则库已启用 / applied: {len(library.enabled())} of {len(library.rules)} rules on "
               f"(sha256 {library.sha256[:12]})")


@rules_app.command("run")
def rules_run(rule: str = typer.Option(None, "--rule", help="only this rule (its code)"),
              region: str = typer.Option(None, "--region", help="only the villages under this region code"),
              as_json: bool = typer.Option(False, "--json", help="print every clue held afterwards, one JSON object each"),
              database_url: str | None = DB_OPTION):
    """Run the comparison rules that are on and store the clues not stored yet (a rerun on
    the same data adds nothing: a clue is its rule, subject and evidence); a summary by
    rule, or with --json every clue held for the rule/region after the run."""
    import json

    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from data.codes import code_range, normalize_code
    from data.intake.base import prepare_database
    from data.intake.refresh import rules_run as run
    from data.rules.library import active_library
    engine = _engine(database_url)
    prepare_database(engine)
    with engine.connect() as conn:
        known = [r.code for r in active_library(conn).enabled()]
    if rule is not None and rule not in known:
        raise typer.BadParameter(f"未知或未启用的规则 / unknown or disabled rule {rule!r}: {', '.join(known)}")
    try:
        ranges = [code_range(normalize_code(region))] if region else None
    except ValueError as exc:
        raise typer.BadParameter(f"区划代码有误 / bad region code {region!r}: {exc}") from None
    codes = (rule,) if rule else None
    with engine.begin() as conn:
        if as_json or not sys.stderr.isatty():
            summary = run(conn, ranges, codes)
        else:
            with Progress(console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task("rules", total=len(codes or known))
                summary = run(conn, ranges, codes, progress=lambda code: bar.update(task, advance=1, description=code))
    if as_json:
        for clue in _held_clues(engine, ranges, codes):
            typer.echo(json.dumps(clue, ensure_ascii=False, default=str))
        return
    table = Table(title="比对规则运行 / rules run")
    for col in ("rule", "found", "new"):
        table.add_column(col)
    for code, counts in summary.items():
        table.add_row(code, str(counts["found"]), str(counts["new"]))
    Console().print(table)


@rules_app.command("list")
def rules_list(database_url: str | None = DB_OPTION):
    """The rules in use, each with its hits so far, how many were decided, dismissed as
    false positives, and its precision (what the commission tunes thresholds by); and the
    open clues near (临期) or past (超期) their deadline."""

    from rich.console import Console
    from rich.table import Table

    from data.intake.base import prepare_database
    from data.queries.clues import workflow_today
    from data.rules.library import active_library
    from data.rules.workflow import clue_deadlines, rule_precision
    engine = _engine(database_url)
    prepare_database(engine)
    with engine.connect() as conn:
        library = active_library(conn)
        stats = rule_precision(conn).set_index("rule")
        deadlines = clue_deadlines(conn, workflow_today(conn), library)  # the demo's: its as-of date
    table = Table(title=f"比对规则 / rules in use ({library.source})")
    for col in ("rule", "on", "severity", "finding", "clues", "decided", "false positives", "precision"):
        table.add_column(col)
    for rule in library.rules:
        row = stats.loc[rule.code] if rule.code in stats.index else None
        precision = None if row is None else row["precision"]
        table.add_row(rule.code, "✓" if rule.on else "·", rule.severity, rule.finding_zh,
                      *(["0", "0", "0"] if row is None else [str(int(row[c])) for c in ("clues", "decided", "false_positives")]),
                      "—" if _missing(precision) else f"{precision:.0%}")
    Console().print(table)
    counts = deadlines["state"].value_counts()
    typer.echo(f"办理中线索 / open clues: {len(deadlines)}; 临期 near deadline {int(counts.get('near', 0))}, "
               f"超期 overdue {int(counts.get('overdue', 0))}")


@rules_app.command("eval")
def rules_eval(as_json: bool = typer.Option(False, "--json", help="one JSON object per rule"),
               database_url: str | None = DB_OPTION):
    """Recall and precision of each rule that is on against the demo's planted cases
    (demo_truth); stores nothing."""
    import json

    from rich.console import Console
    from rich.table import Table

    from data.intake.base import prepare_database
    from data.intake.refresh import as_of_date
    from data.rules.evaluation import evaluate
    from data.rules.library import active_library
    engine = _engine(database_url)
    prepare_database(engine)
    with engine.connect() as conn:
        frame = evaluate(conn, as_of_date(conn), active_library(conn))
    if as_json:
        for row in frame.to_dict("records"):
            typer.echo(json.dumps({k: (None if _missing(v) else v) for k, v in row.items()}))
        return
    table = Table(title="规则评估（对照演示数据埋设的问题）/ rules against the demo's planted cases")
    for col in ("rule", "planted", "found", "clues", "matching", "recall", "precision"):
        table.add_column(col)
    for r in frame.itertuples(index=False):
        table.add_row(r.rule, str(r.planted), str(r.found), str(r.clues), str(r.matching),
                      "—" if _missing(r.recall) else f"{r.recall:.0%}",
                      "—" if _missing(r.precision) else f"{r.precision:.0%}")
    Console().print(table)


def _missing(value) -> bool:
    """None or NaN (a rate with nothing to divide)."""
    return value is None or value != value


def _held_clues(engine, ranges, rules) -> list[dict]:
    """Every clue stored for the rules and ranges, with its evidence as exchange keys."""
    from sqlalchemy import or_, select

    from data.model.schema import Clue
    from data.rules.evidence import evidence_keys
    query = select(Clue.id, Clue.rule, Clue.region_code, Clue.subject_key, Clue.amount, Clue.score, Clue.status,
                   Clue.handler_code, Clue.due_on, Clue.evidence).order_by(Clue.id)
    if ranges:
        query = query.where(or_(*[Clue.region_code.between(lo, hi) for lo, hi in ranges]))
    if rules:
        query = query.where(Clue.rule.in_(rules))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        keys = evidence_keys(conn, rows)
    return [{"rule": r["rule"], "region_code": r["region_code"], "subject_key": r["subject_key"],
             "amount": float(r["amount"]), "score": r["score"], "status": r["status"],
             "handler_code": r["handler_code"], "due_on": r["due_on"], "evidence": k}
            for r, k in zip(rows, keys, strict=True)]


if __name__ == "__main__":
    sys.exit(app())
