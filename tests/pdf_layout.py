"""Where a PDF's text lands, read back with pypdf: each text run with its position and width.

Overlap cannot be seen in extracted text (pypdf returns each table cell's text whole, whether or
not it ran over the next cell), so layout tests read positions instead: a run starts at x (the
text matrix times the page's current matrix) and ends at x + its width in its font and size
(reportlab's metrics of the PDF base fonts xhtml2pdf prints with)."""

import io
from dataclasses import dataclass

from pypdf import PdfReader, mult
from reportlab.pdfbase.pdfmetrics import stringWidth

TOLERANCE = 0.5  # points: rounding in the PDF's numbers
MARGIN = 1.5 * 72 / 2.54  # the page's side margins, 1.5 cm (fulfilment/pdf/_style.html)
# As long as a SKU may be (64 characters), with no space to break at; a name with a word wider
# than its column.
LONG_SKU = "WINTER-PARKA-" + "0123456789" * 5 + "X"
LONG_TITLE = "Waterproof insulated winter parka Unbreakablewordthatiswiderthanthecolumn"


@dataclass(frozen=True)
class Run:
    text: str
    x: float
    y: float
    right: float


def runs_of(content: bytes, page: int = 0) -> list[Run]:
    """The text runs of one page, top to bottom as printed."""
    runs: list[Run] = []

    def visit(text, cm, tm, font, font_size):
        if not text.strip():
            return
        matrix = mult(tm, cm)
        size = font_size * matrix[0]
        name = str((font or {}).get("/BaseFont", "/Helvetica")).lstrip("/")
        width = stringWidth(text.strip(), name, size)
        runs.append(Run(text.strip(), matrix[4], matrix[5], matrix[4] + width))

    PdfReader(io.BytesIO(content)).pages[page].extract_text(visitor_text=visit)
    return runs


def header(runs: list[Run], text: str) -> Run:
    [run] = [run for run in runs if run.text == text]
    return run


def column(runs: list[Run], heading: Run) -> list[Run]:
    """The runs printed under a left-aligned column heading, top to bottom."""
    under = [run for run in runs
             if abs(run.x - heading.x) < TOLERANCE and run.y < heading.y]
    return sorted(under, key=lambda run: -run.y)


def page_right_edge(content: bytes, margin: float) -> float:
    return float(PdfReader(io.BytesIO(content)).pages[0].mediabox.right) - margin


def assert_cells_keep_to_their_columns(content: bytes, first: str, second: str,
                                       after: str, first_text: str, second_text: str):
    """Each run under the `first` heading ends before the `second` column starts, each run
    under `second` before the column `after` it, and nothing runs off the page. Read in order,
    the runs are the whole SKU and the whole name (spaces aside: a line may end inside a
    word): wrapped, not cut. An overlapping cell is a run that starts in its column and ends
    in the next (or off the page), so it fails."""
    runs = runs_of(content)
    first_heading, second_heading = header(runs, first), header(runs, second)
    after_heading = header(runs, after)
    first_cells = [run for run in column(runs, first_heading) if run.text in first_text]
    second_cells = [run for run in column(runs, second_heading) if run.text in second_text]
    assert "".join(run.text for run in first_cells) == first_text.replace(" ", "")
    assert "".join(run.text for run in second_cells).replace(" ", "") == \
        second_text.replace(" ", "")
    assert all(run.right <= second_heading.x for run in first_cells), first_cells
    assert all(run.right <= after_heading.x for run in second_cells), second_cells
    assert all(run.right <= page_right_edge(content, MARGIN) for run in runs)
