"""The weekly briefing as PPTX/PDF files: built once (views.briefing), written by exports.

The one call the briefing page's job, the CLI (`cli.py briefing`) and the benchmark make.
"""
from __future__ import annotations

from pathlib import Path

from exports.briefing import BriefingError, Progress, chart_images, no_progress, write_files
from exports.images import engine_geo_resolver
from i18n import t
from settings import Settings
from views.briefing import Briefing, briefing_figures, build_briefing


def briefing_images(b: Briefing, engine, scope, *, cache_dir, version: str,
                    progress: Progress = no_progress) -> dict[str, bytes]:
    """Chart key -> stamped PNG of every chart of `b` (its figures built once, kept on `b`)."""
    b.figures = b.figures or briefing_figures(b, engine=engine, scope=scope, cache_dir=cache_dir,
                                              version=version)
    return chart_images(b, b.figures, geo_resolver=engine_geo_resolver(engine, cache_dir, version),
                        progress=progress)


def write_briefing(engine, scope, region: str, week: str, lang: str, outputs: dict[str, Path], *,
                   cache_dir, version: str, progress: Progress = no_progress,
                   settings: Settings | None = None) -> Briefing:
    """Build the briefing and write `outputs` ({'pptx': path, 'pdf': path}); returns it.

    settings: the app's (its spike rule); a job in a worker thread has no app context."""
    progress(2, "query")
    b = build_briefing(engine, scope, region, week, lang, settings=settings)
    if b is None:
        raise BriefingError(t("briefing.error.region", lang))
    progress(8, "figures")
    images = briefing_images(b, engine, scope, cache_dir=cache_dir, version=version, progress=progress)
    write_files(b, images, outputs, progress=progress)
    return b
