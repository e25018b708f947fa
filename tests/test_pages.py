"""The report's pages embed figure files only if they are PNG images."""

from __future__ import annotations

import base64
import os

import matplotlib.pyplot as plt
import pytest

from conftest import has_problem
from sim import pages
from sim.errors import InputError


@pytest.fixture
def figure(tmp_path):
    """A PNG as matplotlib writes the commands' figures."""
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1])
    fig.savefig(tmp_path / "figure.png", format="png")
    plt.close(fig)
    return tmp_path / "figure.png"


def test_a_png_is_embedded_as_it_is_and_through_a_link(figure, tmp_path):
    """A link is followed as the folders' tables are: what it leads to is checked, not the link."""
    (tmp_path / "link.png").symlink_to(figure)
    for path in (figure, tmp_path / "link.png"):
        assert base64.b64decode(pages.png(path)) == figure.read_bytes()


@pytest.mark.parametrize("made, found", [("empty", "an empty file"), ("text", "a file of another kind"),
                                         ("a link to text", "a file of another kind"),
                                         ("a cut signature", "a file of another kind")])
def test_a_figure_that_is_no_png_is_refused_naming_it_and_not_what_it_holds(made, found, figure, tmp_path):
    path = tmp_path / "chart.png"
    (tmp_path / "hostname").write_text("private-host\n")
    if made == "a link to text":
        path.symlink_to(tmp_path / "hostname")
    else:
        path.write_bytes({"empty": b"", "text": b"private-host\n", "a cut signature": figure.read_bytes()[:7]}[made])
    with pytest.raises(InputError) as info:
        pages.png(path)
    message = str(info.value)
    assert has_problem(message, "chart.png", "<top level>", "a PNG image (as the command wrote it)"), message
    assert found in message and "private-host" not in message


@pytest.mark.parametrize("through", ["itself", "a link"])
def test_a_named_pipe_is_refused_before_it_is_read(through, tmp_path):
    """Reading one would wait for a writer that never comes."""
    os.mkfifo(tmp_path / "pipe")
    path = tmp_path / "pipe" if through == "itself" else tmp_path / "chart.png"
    if through == "a link":
        path.symlink_to(tmp_path / "pipe")
    with pytest.raises(InputError) as info:
        pages.png(path)
    assert has_problem(str(info.value), path.name, "<top level>", "a regular file"), str(info.value)
