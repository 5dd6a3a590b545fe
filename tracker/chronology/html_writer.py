"""The chronology as HTML for print, and as PDF from that HTML (WeasyPrint).

WeasyPrint needs Pango, a system library: without it importing WeasyPrint fails
(OSError, or ImportError) and the PDF is refused with what to install, while every
other format keeps working. It is imported only when a PDF is asked for.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2

from tracker.chronology.document import Chronology, xml_safe
from tracker.core import resources
from tracker.core.errors import TrackerError

TEMPLATE = "chronology/document.html"
PANGO = "PDF needs Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0"


class PdfUnavailable(TrackerError):
    """The server cannot make PDFs (no Pango): 503, saying what to install."""

    status = 503
    code = "pdf_unavailable"

    def __init__(self) -> None:
        super().__init__(PANGO)


@functools.cache
def _environment() -> jinja2.Environment:
    # its own environment: the command line renders it without the web app
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(resources.templates_dir()),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html(chronology: Chronology) -> str:
    """Control characters dropped: a PDF would draw each as a box."""
    return xml_safe(_environment().get_template(TEMPLATE).render(doc=chronology))


def weasyprint() -> Any:
    """The WeasyPrint module, or PdfUnavailable if its system libraries are missing."""
    try:
        import weasyprint as found  # lazy: it loads Pango on import
    except (OSError, ImportError):
        raise PdfUnavailable() from None
    return found


def available() -> bool:
    try:
        weasyprint()
    except PdfUnavailable:
        return False
    return True


def pdf(chronology: Chronology) -> bytes:
    printer = weasyprint()
    return printer.HTML(string=html(chronology)).write_pdf()
