"""The weekly briefing as files: PPTX (python-pptx) and PDF (Debian chromium prints HTML).

Given a built briefing (views/briefing.py: title, topics, figures; views/briefing_files.py
builds it and calls this module), `chart_images` renders every chart once with kaleido
(PNG, stamped with title, region, period and as-of) and `write_files` writes each requested
file:

- PPTX: a title slide, then one topic per slide: an editable title, the drafted text in
  an editable text box, the chart as a picture, a footer (region · week · as-of · page).
- PDF: the same slides as an HTML page (16:9 pages, fonts-noto-cjk), printed by Debian's
  headless chromium (`--print-to-pdf`); nothing is fetched from the network (images are
  inlined as data: URLs, the page has no external reference, networking is disabled).
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from exports.images import GeoResolver, render, require_cjk_font
from figures.briefing import SLIDE_SIZE
from i18n import t

SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
IMAGE_SCALE = 1.5
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-extensions", "--no-pdf-header-footer",
                  "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
Progress = Callable[[int, str], None]


class Topic(Protocol):
    key: str
    title: str
    sentences: list[str]
    chart: str | None


class Briefing(Protocol):
    """What the writers read of a briefing (views.briefing.Briefing has it all)."""
    lang: str
    region_name: str
    week: str
    as_of: str
    demo: bool
    topics: list[Any]

    @property
    def title(self) -> str: ...  # computed from region and week (read-only)

    @property
    def period(self) -> str: ...  # the week's dates (read-only)


class BriefingError(Exception):
    """The briefing cannot be made (out of scope, no data, chromium failure)."""


def no_progress(percent: int, step: str) -> None:
    return None


def chart_images(b: Briefing, figures: dict, *, geo_resolver: GeoResolver | None = None,
                 progress: Progress = no_progress, start: int = 10, end: int = 75) -> dict[str, bytes]:
    """Chart key -> PNG bytes (stamped), for the slides of `b` in order."""
    require_cjk_font(b.lang)
    wanted = [topic.chart for topic in b.topics if topic.chart in figures]
    images = {}
    for i, key in enumerate(wanted):
        progress(start + (end - start) * i // max(1, len(wanted)), f"chart:{key}")
        images[key] = render(figures[key], "png", lang=b.lang, geo_resolver=geo_resolver,
                             scale=IMAGE_SCALE, width=SLIDE_SIZE[0], height=SLIDE_SIZE[1])
    return images


# ---------------------------------------------------------------- PPTX

def write_pptx(b: Briefing, images: dict[str, bytes], out) -> int:
    """Write the PPTX to a path or file object; returns the number of slides."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    blank = prs.slide_layouts[6]
    lang = b.lang
    navy, grey = RGBColor(0x1F, 0x4E, 0x79), RGBColor(0x6C, 0x75, 0x7D)

    def text_box(slide, left, top, width, height, paragraphs, *, size=16, bold=False, color=None,
                 name="text"):
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        box.name = name
        frame = box.text_frame
        frame.word_wrap = True
        for i, text in enumerate(paragraphs):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            run = para.add_run()
            run.text = text
            run.font.size, run.font.bold = Pt(size), bold
            run.font.name = "Microsoft YaHei"
            if color is not None:
                run.font.color.rgb = color
            para.space_after = Pt(8)
        return box

    # title slide
    slide = prs.slides.add_slide(blank)
    band = slide.shapes.add_shape(1, 0, Inches(2.2), prs.slide_width, Inches(2.4))
    band.fill.solid()
    band.fill.fore_color.rgb = navy
    band.line.fill.background()
    box = text_box(slide, 0.8, 2.45, 11.7, 1.2, [b.title], size=34, bold=True, name="title")
    box.text_frame.paragraphs[0].runs[0].font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    box = text_box(slide, 0.8, 3.55, 11.7, 0.8, [b.period], size=20, name="subtitle")
    box.text_frame.paragraphs[0].runs[0].font.color.rgb = RGBColor(0xE8, 0xEE, 0xF5)
    notes = [t("briefing.doc.as_of", lang, as_of=b.as_of), t("briefing.doc.draft", lang)]
    if b.demo:
        notes.append(t("briefing.doc.demo", lang))
    text_box(slide, 0.8, 5.0, 11.7, 1.6, notes, size=14, color=grey, name="notes")

    footer = f"{b.region_name} · {b.week} · {t('briefing.doc.as_of', lang, as_of=b.as_of)}"
    for page, topic in enumerate(b.topics, start=2):
        slide = prs.slides.add_slide(blank)
        text_box(slide, 0.5, 0.3, 12.3, 0.8, [topic.title], size=26, bold=True, color=navy, name="title")
        image = images.get(topic.chart)
        if image:
            text_box(slide, 0.5, 1.2, 4.0, 5.6, topic.sentences, size=14, name="narrative")
            pic = slide.shapes.add_picture(io.BytesIO(image), Inches(4.7), Inches(1.2), width=Inches(8.3))
            if pic.height > Inches(5.7):  # keep tall charts above the footer
                ratio = Inches(5.7) / pic.height
                pic.height, pic.width = Inches(5.7), int(pic.width * ratio)
        else:
            text_box(slide, 0.5, 1.2, 12.3, 5.6, topic.sentences, size=18, name="narrative")
        text_box(slide, 0.5, 6.95, 12.3, 0.4, [f"{footer} · {page}"], size=10, color=grey, name="footer")
    prs.save(out)
    return len(prs.slides)


# ---------------------------------------------------------------- PDF (HTML printed by chromium)

PDF_CSS = """
@page { size: 13.333in 7.5in; margin: 0; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Noto Sans CJK", sans-serif; color: #212529; }
.slide { width: 13.333in; height: 7.5in; padding: .35in .5in .3in; position: relative;
  page-break-after: always; break-after: page; overflow: hidden; background: #fff; }
.slide:last-child { page-break-after: auto; break-after: auto; }
.title-slide { padding: 0; }
.title-slide .band { position: absolute; top: 2.2in; left: 0; right: 0; height: 2.4in; background: #1f4e79;
  color: #fff; padding: .3in .8in; }
.title-slide h1 { font-size: 34pt; margin: 0 0 .2in; }
.title-slide .period { font-size: 20pt; color: #e8eef5; }
.title-slide .notes { position: absolute; top: 5.0in; left: .8in; right: .8in; color: #6c757d; font-size: 14pt; }
.title-slide .notes p { margin: 0 0 .08in; }
h2 { font-size: 26pt; color: #1f4e79; margin: 0 0 .25in; }
.content { display: flex; gap: .25in; height: 5.6in; }
.text { flex: 0 0 4.0in; font-size: 14pt; line-height: 1.55; }
.text p { margin: 0 0 .12in; }
.text.wide { flex: 1 1 auto; font-size: 18pt; }
.chart { flex: 1 1 auto; display: flex; align-items: flex-start; justify-content: center; }
.chart img { max-width: 100%; max-height: 5.6in; }
.footer { position: absolute; bottom: .2in; left: .5in; right: .5in; font-size: 10pt; color: #6c757d; }
"""


def _jpeg(png: bytes, quality: int = 92) -> bytes:
    """PNG -> JPEG for the PDF: chromium embeds JPEG data as is (it re-compresses PNGs,
    which made printing 2–3 times slower) and the file is smaller."""
    from PIL import Image
    with Image.open(io.BytesIO(png)) as img:
        out = io.BytesIO()
        img.convert("RGB").save(out, "JPEG", quality=quality, optimize=False)
    return out.getvalue()


def briefing_html(b: Briefing, images: dict[str, bytes]) -> str:
    """The slides as one self-contained HTML page (no external reference)."""
    lang, esc = b.lang, html.escape
    notes = [t("briefing.doc.as_of", lang, as_of=b.as_of), t("briefing.doc.draft", lang)]
    if b.demo:
        notes.append(t("briefing.doc.demo", lang))
    slides = [f'<section class="slide title-slide"><div class="band"><h1>{esc(b.title)}</h1>'
              f'<div class="period">{esc(b.period)}</div></div><div class="notes">'
              + "".join(f"<p>{esc(n)}</p>" for n in notes) + "</div></section>"]
    footer = f"{b.region_name} · {b.week} · {t('briefing.doc.as_of', lang, as_of=b.as_of)}"
    for page, topic in enumerate(b.topics, start=2):
        text = "".join(f"<p>{esc(s)}</p>" for s in topic.sentences)
        image = images.get(topic.chart)
        if image:
            src = "data:image/jpeg;base64," + base64.b64encode(_jpeg(image)).decode("ascii")
            body = (f'<div class="text">{text}</div><div class="chart">'
                    f'<img src="{src}" alt="{esc(topic.title)}"></div>')
        else:
            body = f'<div class="text wide">{text}</div>'
        slides.append(f'<section class="slide" data-topic="{esc(topic.key)}"><h2>{esc(topic.title)}</h2>'
                      f'<div class="content">{body}</div>'
                      f'<div class="footer">{esc(footer)} · {page}</div></section>')
    html_lang = "en" if lang == "en" else "zh-CN"
    return (f'<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8">'
            f"<title>{esc(b.title)}</title><style>{PDF_CSS}</style></head><body>"
            + "".join(slides) + "</body></html>")


def print_pdf(page_html: str, out: Path, *, timeout: float = 60, lang: str = "zh-CN") -> None:
    """Print a self-contained HTML page to PDF with headless Debian chromium."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise BriefingError(t("export.error.no_chromium", lang))
    with tempfile.TemporaryDirectory(prefix="briefing-") as tmp:
        source = Path(tmp) / "briefing.html"
        source.write_text(page_html, encoding="utf-8")
        target = Path(tmp) / "briefing.pdf"
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={target}",
               source.as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "HOME": tmp}, check=False)  # judged by its output file
        if not target.exists() or target.stat().st_size == 0:
            raise BriefingError(t("briefing.error.print", lang, error=done.stderr[-400:]))
        shutil.move(str(target), out)


def write_pdf(b: Briefing, images: dict[str, bytes], out: Path) -> None:
    """Print the slides to PDF in kaleido's (already running) chromium; a separate
    headless chromium when that fails."""
    from exports.images import print_html_to_pdf
    page_html = briefing_html(b, images)
    with tempfile.TemporaryDirectory(prefix="briefing-") as tmp:
        source = Path(tmp) / "briefing.html"
        source.write_text(page_html, encoding="utf-8")
        try:
            body = print_html_to_pdf(source)
        except Exception:
            body = b""
        if body.startswith(b"%PDF"):
            Path(out).write_bytes(body)
            return
    print_pdf(page_html, Path(out), lang=b.lang)


# ---------------------------------------------------------------- both files

def write_files(b: Briefing, images: dict[str, bytes], outputs: dict[str, Path], *,
                progress: Progress = no_progress) -> None:
    """Write `outputs` ({'pptx': path, 'pdf': path}) of a briefing whose charts are rendered."""
    unknown = set(outputs) - {"pptx", "pdf"}
    if unknown:
        raise BriefingError(f"unknown briefing format {sorted(unknown)} (pptx or pdf)")
    for path in outputs.values():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # chromium prints the PDF while python-pptx writes the slides
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-pdf") as pool:
        pdf = None
        if "pdf" in outputs:
            progress(78, "pdf")
            pdf = pool.submit(write_pdf, b, images, Path(outputs["pdf"]))
        if "pptx" in outputs:
            progress(85, "pptx")
            write_pptx(b, images, str(outputs["pptx"]))
        if pdf is not None:
            pdf.result()
    progress(100, "done")


def generated_at() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M")
