"""The report's pages: the Jinja templates of ``sim/templates``, for the report and its sections, and the
figure files they embed."""

from __future__ import annotations

import base64
from pathlib import Path

from .errors import InputError, refuse_special

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"  # the first 8 bytes of every PNG file
PNG_EXPECTED = "a PNG image (as the command wrote it)"


def environment():
    """The templates, autoescaped: tables and figures are passed as markup."""
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("sim", "templates"),
                              autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def png(path) -> str:
    """A figure file as base64, to embed as a page's image/png. Every figure read from a file comes here, so
    that one which is no PNG (a text file, a link to another file) is refused naming it rather than sent,
    bytes and all, in a report that may be emailed; a link is followed as for the folder's tables, but what it
    leads to must be a PNG. A named pipe or device is refused before it is opened (reading one would hang)."""
    path = Path(path)
    refuse_special(path, path, "")
    try:
        with open(path, "rb") as file:
            head = file.read(len(PNG_SIGNATURE))
            if head != PNG_SIGNATURE:  # what it holds is not said: the file a link leads to may be anyone's
                raise InputError.one(path, "", PNG_EXPECTED, "a file of another kind (no PNG signature)" if head
                                     else "an empty file")
            data = head + file.read()
    except OSError as exc:
        raise InputError.one(path, "", PNG_EXPECTED, exc.strerror or type(exc).__name__) from None
    return base64.b64encode(data).decode("ascii")

