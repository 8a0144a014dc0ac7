"""CSV downloads streamed as they are written: the rows come from a generator, so a large
export never sits in memory whole (the back office and the API answer with the same response)."""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
ROWS_PER_CHUNK = 200  # one write to the client per this many rows, not one per row

# The OpenAPI response of an endpoint answering with `csv_response`.
CSV_OPENAPI_RESPONSE = {
    "description": "A CSV file (RFC 4180, UTF-8, a header row first), streamed.",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


class _Line:
    """What csv.writer writes to: hands each formatted line back instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: Iterable[Sequence[str]], *,
              rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[str]:
    """The rows as CSV text (CRLF line ends, quoted where needed), in chunks of lines."""
    writer = csv.writer(_Line())
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow(row))
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_response(rows: Iterable[Sequence[str]], *, filename: str) -> StreamingHttpResponse:
    """A download of `rows` named `filename`, written while the client reads it."""
    response = StreamingHttpResponse(csv_lines(rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # customer data: not for shared caches
    return response
