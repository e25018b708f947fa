"""workforce report: one self-contained HTML file from run and batch results; bad directories exit 2."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
from html import unescape
from html.parser import HTMLParser

import pandas as pd
import pytest

from conftest import has_problem
from sim import analysis, folders, plots, report
from sim.cli import main

EXPERIMENT = """\
name: tiny_report
description: two small policies over two years
scenario: wales-mh-2021
years: 2
replications: 2
seed: 3
policies:
  international_nurses:
    description: 60 more nurses a year from abroad
    levers: [{lever: recruitment, groups: [nursing], extra_per_year: 60, source: international}]
  nothing:
    description: a lever that changes nothing
    levers: [{lever: retention, groups: [nursing], factor: 1.0}]
"""


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    """A workforce run directory (2 replications) and a workforce batch directory (2 policies)."""
    base = tmp_path_factory.mktemp("results")
    assert main(["run", "--until", "2023", "--replications", "2", "--out", str(base / "run")]) == 0
    (base / "tiny.yaml").write_text(EXPERIMENT)
    assert main(["batch", str(base / "tiny.yaml"), "--workers", "1", "--quiet", "--out", str(base / "batch")]) == 0
    return base / "run", base / "batch"


class Page(HTMLParser):
    """Images, links, scripts and text of an HTML page."""

    def __init__(self):
        super().__init__()
        self.images, self.links, self.scripts, self.captions, self.text = [], [], [], [], []
        self.ids, self.metas, self.tags = [], [], []  # tags: (tag, id, class) in order
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a)
        if tag == "script":
            self.scripts.append(a)
        if "href" in a:
            self.links.append(a["href"])
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "meta":
            self.metas.append(a)
        self.tags.append((tag, a.get("id"), a.get("class")))
        self._in = tag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in == "figcaption":
            self.captions.append(data)


def parse(path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def assert_self_contained(page: Page) -> None:
    assert not page.scripts  # nothing to run
    assert page.links and all(link.startswith("#") and link[1:] in page.ids for link in page.links)  # in-page only
    for img in page.images:
        prefix = "data:image/png;base64,"
        assert img["src"].startswith(prefix)
        assert base64.b64decode(img["src"][len(prefix):])[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_of_a_run_directory(dirs, capsys):
    run_dir, _ = dirs
    assert main(["report", str(run_dir)]) == 0
    out = run_dir / "report.html"
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    page = parse(out)
    assert_self_contained(page)
    assert page.captions == ["FTE by staff group", "Supply against demand, and the gap", "Training pipeline",
                             "Joiners and leavers by reason (first run)", "Welsh-speaking FTE",
                             "Age-sex pyramids (first run)"] + [
        f"Pathway flows: {p} (first run)" for p in ["psychiatry", "nursing", "hcsw", "psychology", "occupational_therapy",
                                                    "physician_associates", "social_work", "social_care"]] + [
        "Held-back outcomes against the prediction",  # the back-test and posterior of the run's calibration
        "Prior (line) and posterior (bars, points) of each fitted parameter"]
    text = out.read_text()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    appendix = text[text.index('id="appendix"'):]
    assert manifest["scenario_sha256"] in appendix  # provenance goes to the appendix
    # the headline table gives the replications' mean FTE in post with its interval, and the trainees apart
    summary = pd.read_csv(run_dir / "summary.csv")
    for group, measure in (("psychiatry", "in_post_fte"), ("total", "training_fte")):
        row = summary[(summary.group == group) & (summary.measure == measure) & (summary.year == 2023)].iloc[0]
        assert f"{row['mean']:,.0f} ({row.low:,.0f}-{row.high:,.0f})" in text
    assert "in training (in service)" in text
    assert "Run: wales-mh-2021, 2021-03 to 2023-03, seeds 0-1" in text


def test_report_of_a_batch_and_a_run_in_one_file(dirs, tmp_path):
    run_dir, batch_dir = dirs
    out = tmp_path / "shared" / "plan.html"
    assert main(["report", str(batch_dir), str(run_dir), "--out", str(out)]) == 0
    page = parse(out)
    assert_self_contained(page)
    text = out.read_text()
    assert text.index("Experiment: tiny_report") < text.index("Run: wales-mh-2021")
    assert "Policies against the baseline: FTE in post" in page.captions
    assert "Baseline FTE by staff group" in page.captions
    assert "60 more nurses a year from abroad" in text  # the policy's description
    table = analysis.compare(batch_dir, "in_post_fte")
    row = table[(table.policy == "international_nurses") & (table.group == "total") & (table.year == 2023)].iloc[0]
    assert f"{row.diff_mean:,.1f} [{row.diff_low:,.1f}, {row.diff_high:,.1f}]" in text
    assert row.diff_mean > 0
    nothing = table[(table.policy == "nothing") & (table.year == 2023)]
    assert (nothing.diff_mean == 0).all() and "0.0 [0.0, 0.0]" in text
    assert len(re.findall(r"<img ", text)) == len(page.images) == 4 + 14  # the batch's figures and the run's


@pytest.mark.parametrize("again, said", [("{0}/", "each results folder once (found"),
                                         ("{0}/../{1}", "each results folder once ({0} and {0}/../{1} are one folder)")])
def test_a_results_folder_given_twice_is_refused_naming_it(dirs, capsys, again, said):
    """Else its section is in the report twice, as if two sets of results agreed."""
    batch_dir = dirs[1]
    twice = again.format(batch_dir, batch_dir.name)
    assert main(["report", str(batch_dir), twice, "--out", str(batch_dir.parent / "twice.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("workforce: invalid input\nRESULTS_DIR: results: expected " + said.format(batch_dir,
                                                                                                   batch_dir.name)), err
    assert not (batch_dir.parent / "twice.html").exists()


def test_the_report_opens_with_key_messages_and_contents_and_explains_itself(dirs, tmp_path):
    run_dir, batch_dir = dirs
    html = report.build([batch_dir, run_dir], backtest="<p>back-test figures</p>",
                        calibration="<p>posterior draws</p>")
    page = Page()
    page.feed(html)
    assert_self_contained(page)
    assert any(m.get("name") == "viewport" for m in page.metas)  # readable on a phone
    order = [i for _, i, _ in page.tags if i]
    assert order.index("summary") < order.index("contents") < order.index("results-1") < order.index("results-2") \
        < order.index("backtest") < order.index("calibration") < order.index("measures") < order.index("appendix")

    summary = unescape(html[html.index('id="summary"'):html.index('id="contents"')])
    table = analysis.compare(batch_dir, "in_post_fte")
    final = int(table.year.max())
    effect = table[(table.policy == "international_nurses") & (table.group == "total") & (table.year == final)].iloc[0]
    ranking = re.findall(r"<li>(\w+)[ :]", summary[summary.index('<ol class="messages ranked">'):])
    assert ranking[:2] == ["international_nurses", "nothing"]  # largest effect first
    assert f"<li>international_nurses (60 more nurses a year from abroad): {effect.diff_mean:+,.0f} (90% interval " \
           f"{effect.diff_low:+,.0f} to {effect.diff_high:+,.0f}) FTE in post." in summary
    assert "No difference in any run" in summary
    # the batch's replications drew their parameter sets from the posterior too, as its manifest says
    assert ("over 2 replications: they contain parameter uncertainty and the model's randomness: each replication "
            "runs a parameter set drawn from the 1,000 of calibration wales-mh-v18's posterior; none includes") in summary
    assert "not the uncertainty of its parameters" not in summary
    assert "a supply gap of" in summary and "FTE in post, all groups" in summary
    # the run's replications each drew a parameter set from the posterior, as its manifest says
    assert ("The intervals are over 2 replications: they contain parameter uncertainty and the model's randomness: "
            "each replication runs a parameter set drawn from the 1,000 of calibration wales-mh-v18's posterior") \
        in summary

    contents = html[html.index('id="contents"'):html.index("</nav>")]
    titles = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', contents)
    assert [t for _, t in titles] == [
        "Summary: key messages", "Experiment: tiny_report", "The policies in words", "Run: wales-mh-2021, 2021-03 "
        "to 2023-03, seeds 0-1", "Back-test: the model against what happened",
        "Calibration: fitted parameters and their uncertainty", "What the measures mean", "Appendix: provenance"]
    assert "back-test figures" in html and "posterior draws" in html

    words = html[html.index('id="results-1-policies"'):]
    assert "Recruitment from outside the pipeline (nursing): 60 more recruits available a year (international)." \
        in words and "0% fewer leavers (nursing)." in words
    measures = html[html.index('id="measures"'):html.index('id="appendix"')]
    for term in ("Supply gap", "Vacant FTE", "Negative", "HCSW", "CAAP", "AMHP", "BIA", "SAS", "CCT", "LTFT", "MHO",
                 "FTE"):
        assert term in measures, term
    assert "no difference from the baseline in any run, not shown" in html  # a table of zeros collapses
    assert "Registered nurses" in html  # groups by their names, not their codes
    assert html.count('<div class="scroll"><table') >= 5  # wide tables scroll on a phone
    assert "tiny_report" in html[html.index('id="appendix"'):]  # the experiment file, in the appendix
    alone = report.build([run_dir])  # the default scenario's runs: its calibration's posterior and back-test
    assert 'id="backtest"' in alone and 'id="calibration"' in alone and "wales-mh-v18" in alone
    given = report.build([run_dir], backtest="<p>given</p>", calibration="<p>also given</p>")
    assert "<p>given</p>" in given and "<p>also given</p>" in given


def test_folders_tell_run_from_batch_directories(dirs):
    run_dir, batch_dir = dirs
    assert folders.load(run_dir).kind == "run" and folders.load(batch_dir).kind == "batch"
    source = plots.run_source(folders.load(run_dir))
    assert source.runs == 2 and source.people is not None and source.events is not None


def make_bad(kind, tmp_path, dirs):
    run_dir, batch_dir = dirs
    d = tmp_path / "results"
    if kind == "missing":
        return d, "results: <top level>: expected an existing directory"
    d.mkdir()
    if kind == "empty":
        return d, f"results: manifest.json: expected {folders.ANY} (found 'an empty directory')"
    if kind == "file":
        d.rmdir()
        d.write_text("not a directory")
        return d, "expected a directory"
    if kind == "not json":
        (d / "manifest.json").write_text("{oops")
        return d, "manifest.json: <top level>: expected a JSON manifest"
    if kind == "unknown manifest":
        (d / "manifest.json").write_text(json.dumps({"format": 0}))
        return d, "manifest.json: experiment: expected a results directory written by workforce run or workforce " \
                  "batch by this version (an older or unknown format?)"
    if kind == "older run manifest":
        shutil.copytree(run_dir, d, dirs_exist_ok=True)
        manifest = json.loads((d / "manifest.json").read_text())
        del manifest["end"]
        (d / "manifest.json").write_text(json.dumps(manifest))
        return d, "manifest.json: end: expected a results directory written by workforce run or workforce batch by " \
                  "this version (an older or unknown format?) (found 'missing end')"
    if kind == "older tidy table":
        shutil.copytree(run_dir, d, dirs_exist_ok=True)
        (d / "supply.parquet").unlink()
        pd.read_csv(d / "supply.csv").drop(columns=["unit"]).to_csv(d / "supply.csv", index=False)
        return d, "supply.csv: columns: expected the columns year, date, group, stage, measure, reason, unit, value " \
                  "(an older or unknown format?) (found ['unit'])"
    if kind == "tidy table saved with semicolons":
        shutil.copytree(run_dir, d, dirs_exist_ok=True)
        (d / "supply.parquet").unlink()
        pd.read_csv(d / "supply.csv").to_csv(d / "supply.csv", index=False, sep=";")
        return d, "supply.csv: columns: expected the columns year, date, group, stage, measure, reason, unit, value " \
                  "(an older or unknown format?) (found 'one column, its values separated by semicolons (CSV separates " \
                  "them by commas)')"
    if kind == "batch without runs":
        shutil.copy(batch_dir / "manifest.json", d / "manifest.json")
        return d, "results: runs: expected a batch results directory with its runs"
    raise AssertionError(kind)


BAD = ["missing", "empty", "file", "not json", "unknown manifest", "older run manifest", "older tidy table",
       "tidy table saved with semicolons", "batch without runs"]


@pytest.mark.parametrize("kind", BAD)
def test_bad_results_directory_exits_2_with_a_clear_message(kind, tmp_path, dirs, capsys):
    path, message = make_bad(kind, tmp_path, dirs)
    assert main(["report", str(path), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("workforce: invalid input\n") and message in err, err
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "report.html").exists()


def test_the_command_exits_2_without_a_traceback(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("report", "empty")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"empty: manifest.json: expected {folders.ANY}" in result.stderr


def test_a_batch_with_feedbacks_lever_policies_gets_their_figure(tmp_path):
    experiment = EXPERIMENT.replace("name: tiny_report", "name: tiny_feedbacks").replace("years: 2", "years: 1") \
        .replace("replications: 2", "replications: 1")
    experiment = experiment[:experiment.index("policies:")] + (
        "policies:\n  workload:\n    levers: [{lever: feedbacks, workload: true}]\n")
    (tmp_path / "fb.yaml").write_text(experiment)
    assert main(["batch", str(tmp_path / "fb.yaml"), "--workers", "1", "--quiet", "--out", str(tmp_path / "b")]) == 0
    html = report.build([tmp_path / "b"])
    assert "What each feedback changes: feedback on less off" in html


def test_a_sensitivity_folder_becomes_a_section_with_its_indices_and_key_message(tmp_path):
    from sim import report

    folder = tmp_path / "quick-look-sensitivity"
    folder.mkdir()
    pd.DataFrame({"method": ["morris", "morris"], "outcome": ["fte:nursing:2026"] * 2,
                  "parameter": ["scale:groups.nursing.leaving.rate", "groups.nursing.joiners.per_year"],
                  "index": ["mu_star", "mu_star"], "value": [120.0, 15.0], "confidence": [10.0, 3.0],
                  "low": [110.0, 12.0], "high": [130.0, 18.0], "readable": [True, True],
                  "verdict": ["readable", "readable"]}).to_csv(folder / "sensitivity.csv", index=False)
    html = report.build([folder])
    assert "Sensitivity: quick-look-sensitivity" in html
    assert "fte:nursing:2026: moved most by scale:groups.nursing.leaving.rate (morris mu_star 120 (readable))" in html
    assert "groups.nursing.joiners.per_year" in html and "no sensitivity.png" in html


def test_the_report_warns_of_levers_a_cap_cuts_and_of_no_other(tmp_path):
    experiment = EXPERIMENT.replace("name: tiny_report", "name: tiny_caps").replace("replications: 2", "replications: 1")
    experiment = experiment[:experiment.index("policies:")] + (
        "policies:\n"
        "  more_support_workers:\n    levers: [{lever: recruitment, groups: [hcsw], extra_per_year: 3000}]\n"
        "  funded_nurses:\n    levers: [{lever: recruitment, groups: [nursing], extra_per_year: 40, "
        "source: international, funded: true}]\n")
    (tmp_path / "caps.yaml").write_text(experiment)
    assert main(["batch", str(tmp_path / "caps.yaml"), "--workers", "1", "--quiet", "--out", str(tmp_path / "b")]) == 0
    html = report.build([tmp_path / "b"])
    warnings = [unescape(w) for w in re.findall(r'<p class="note">Warning: (.*?)</p>', html)]
    assert warnings == analysis.cap_warnings(tmp_path / "b") and len(warnings) == 1
    # more than ten times the group's vacancies a year: the cap binds whatever the posterior draw
    assert warnings[0].startswith("more_support_workers: hcsw: 3,000 more recruits available a year")
    assert "a campaign of 40 recruits a year (international) in posts funded for them" in html


@pytest.fixture(scope="module")
def target_dirs(tmp_path_factory):
    """Folders written by workforce target on the tiny experiment of test_target.py: a search and an earliest year."""
    from test_target import write as tiny_target

    base = tmp_path_factory.mktemp("target")
    experiment = tiny_target(base, leaving=0.05)
    for name, extra in (("search", []), ("earliest", ["--earliest-with", "20"])):
        assert main(["target", str(experiment), "--workers", "1", "--quiet", "--out", str(base / name), *extra]) == 0
    return base / "search", base / "earliest"


def test_a_target_folder_becomes_a_section_with_its_answer_table_figure_and_runs(target_dirs, tmp_path):
    from sim import target

    search, earliest = target_dirs
    out = tmp_path / "report.html"
    assert main(["report", str(search), str(earliest), "--out", str(out)]) == 0
    page = parse(out)
    assert_self_contained(page)
    html = unescape(out.read_text())
    manifest = json.loads((search / "manifest.json").read_text())
    answer = manifest["answer"]
    low, high = answer["interval"]
    said = f"Answer: {target.number(answer['value'])} (90% interval {target.number(low)} to {target.number(high)})."
    summary = html[html.index('id="summary"'):html.index('id="contents"')]
    section = html[html.index('id="results-1"'):html.index('id="results-2"')]
    assert said in summary and said in section  # the answer leads the key messages and its section
    question = ("The smallest extra of lever training_places (course/student) in policy places such that the supply "
                "gap FTE (funded posts less supply) of Staff is at most 0 FTE in 2024 with probability at least 50%.")
    assert question in section and question in summary
    # the shares by value, one row per value searched, as the folder's table has them
    shares = pd.read_csv(search / "probabilities.csv")
    rows = re.findall(r"<tr>\s*<td>([\d,.]+)</td>\s*<td>(\d+) of (\d+)</td>", section)
    assert [(float(v), int(m), int(n)) for v, m, n in rows] == list(zip(shares.value, shares.meeting,
                                                                        shares.replications))
    # the folder's own figure, not a redrawn one
    png = base64.b64encode((search / "target.png").read_bytes()).decode("ascii")
    assert f"base64,{png}" in section and "Share of replications meeting the target by value" in page.captions
    assert f"{manifest['runs']} runs: 6 replications x 16 values, bisection" in section
    assert manifest["uncertainty"] in section
    titles = re.findall(r'<a href="#results-\d">([^<]+)</a>', html)
    assert titles == ["What it takes: tiny_target", "The earliest year: tiny_target"]
    later = html[html.index('id="results-2"'):html.index('id="measures"')]
    year = json.loads((earliest / "manifest.json").read_text())["answer"]["earliest_year"]
    assert year == 2024 and "Earliest year: 2024." in later and "Earliest year: 2024." in summary
    assert "Share of replications meeting the target each year" in page.captions
    assert html.count("name: tiny_target") == 2  # each folder's experiment file, in the appendix


@pytest.mark.parametrize("missing", ["thresholds.csv", "probabilities.csv", "runs.csv", "target.png", "years.csv"])
def test_a_target_folder_missing_a_file_exits_2_naming_it(missing, target_dirs, tmp_path, capsys):
    search, earliest = target_dirs
    d = tmp_path / "target"
    shutil.copytree(earliest if missing == "years.csv" else search, d)
    (d / missing).unlink()
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("workforce: invalid input\n") and f"{d / missing}: " in err, err
    assert "written by workforce target" in err and "Traceback" not in err and out == ""
    assert not (tmp_path / "report.html").exists()


def test_a_target_folder_with_an_older_table_or_manifest_exits_2(target_dirs, tmp_path, capsys):
    search, _ = target_dirs
    d = tmp_path / "target"
    shutil.copytree(search, d)
    pd.read_csv(d / "thresholds.csv").drop(columns=["threshold"]).to_csv(d / "thresholds.csv", index=False)
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    assert "thresholds.csv: columns: expected the columns" in capsys.readouterr().err
    shutil.copy(search / "thresholds.csv", d / "thresholds.csv")
    manifest = json.loads((d / "manifest.json").read_text())
    del manifest["runs"]
    (d / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    assert "manifest.json: runs: expected" in capsys.readouterr().err


def test_a_run_folder_with_a_damaged_people_table_exits_2_naming_it(tmp_path, dirs, capsys):
    run_dir, _ = dirs
    name = "people.parquet"
    copy = shutil.copytree(run_dir, tmp_path / "run")
    (copy / name).write_bytes(bytes(range(256)) * 12)
    assert main(["report", str(copy), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert f"run/{name}: <top level>: expected a readable table written by workforce" in err, err
    assert "Traceback" not in err and out == "" and not (tmp_path / "report.html").exists()


def test_a_run_folder_of_replications_without_their_table_exits_2_naming_it(tmp_path, dirs, capsys):
    """Read as one run, its intervals were said to be over one replication."""
    run_dir, _ = dirs
    copy = shutil.copytree(run_dir, tmp_path / "run")
    (copy / "replications.csv").unlink()
    assert main(["report", str(copy), "--out", str(tmp_path / "report.html")]) == 2
    err = capsys.readouterr().err
    assert "run/replications.csv: <top level>: expected the values of the 2 replications its manifest's " \
           "replication_seeds name" in err, err
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("edit, said", [
    (lambda text: text.replace('"seed": 0,', '"seed": 0, "seed": 5,', 1), "the key 'seed' given twice"),
    (lambda text: text.replace('"seed": 0,', '"seed": NaN,', 1), "NaN, which is no JSON value"),
], ids=["a key twice", "NaN"])
def test_a_manifest_that_is_no_plain_json_exits_2_naming_it(edit, said, tmp_path, dirs, capsys):
    """Python's reader takes the last of a key given twice, and NaN, which JSON has not: neither in silence."""
    copy = shutil.copytree(dirs[0], tmp_path / "run")
    text = (copy / "manifest.json").read_text()
    assert '"seed": 0,' in text
    (copy / "manifest.json").write_text(edit(text))
    assert main(["report", str(copy), "--out", str(tmp_path / "report.html")]) == 2
    err = capsys.readouterr().err
    assert "run/manifest.json: <top level>: expected" in err and said in err, err


def test_a_manifest_saved_with_a_byte_order_mark_and_windows_line_endings_is_read(tmp_path, dirs, capsys):
    """An editor on Windows saves the manifest with a byte order mark before it: JSON's reader refused it, and the
    folder with it, though what it holds is plain."""
    copy = shutil.copytree(dirs[0], tmp_path / "run")
    text = (copy / "manifest.json").read_text()
    (copy / "manifest.json").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert main(["report", str(copy), "--out", str(tmp_path / "report.html")]) == 0, capsys.readouterr().err
    assert (tmp_path / "report.html").is_file()


def test_a_batch_of_an_experiment_file_in_utf_16_is_reported(tmp_path, dirs, capsys):
    """A batch keeps its experiment file as given: one saved in UTF-16 with its byte order mark (as Windows
    PowerShell saves text) ran, and the report then refused the folder for it."""
    copy = shutil.copytree(dirs[1], tmp_path / "batch")
    text = (copy / "experiment.yaml").read_text()
    (copy / "experiment.yaml").write_bytes(text.replace("\n", "\r\n").encode("utf-16"))
    recorded(copy)
    assert main(["report", str(copy), "--out", str(tmp_path / "report.html")]) == 0, capsys.readouterr().err
    assert "a lever that changes nothing" in (tmp_path / "report.html").read_text()


@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["empty", "infinite"])
def test_a_batch_whose_run_file_has_a_value_no_run_writes_exits_2_naming_it(value, tmp_path, dirs, capsys):
    """A vacant FTE edited to NaN or inf in one run file: the report was written, exit 0, with the problem as a
    note in place of the vacancies figure; refused as compare refuses it."""
    d = shutil.copytree(dirs[1], tmp_path / "batch")
    path = d / "runs" / "baseline" / "p000-r0000.parquet"
    table = pd.read_parquet(path)
    table.loc[table.index[(table.measure == "vacancies_fte").to_numpy()][0], "value"] = value
    table.to_parquet(path, index=False)
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, "baseline/p000-r0000.parquet", "value", "a number in every row"), err
    assert "Traceback" not in err and out == "" and not (tmp_path / "report.html").exists()


def recorded(d) -> None:
    """The manifest of folder ``d`` recording its kept experiment file's SHA-256, as if the runs read it."""
    manifest = d / "manifest.json"
    digest = hashlib.sha256((d / "experiment.yaml").read_bytes()).hexdigest()
    manifest.write_text(json.dumps(json.loads(manifest.read_text()) | {"experiment_sha256": digest}))


@pytest.mark.parametrize("kind", ["batch", "target"])
def test_a_kept_experiment_file_edited_since_the_runs_is_refused_naming_it(kind, tmp_path, dirs, target_dirs,
                                                                           capsys):
    """The report took the policies' descriptions from the folder's experiment.yaml as it is: edited by hand, they
    were the report's words for levers they no longer describe ("half of nurses leave no more"), in silence."""
    d = shutil.copytree(dirs[1] if kind == "batch" else target_dirs[0], tmp_path / "edited")
    kept = d / "experiment.yaml"
    kept.write_text(kept.read_text() + "# edited: half of nurses leave no more\n")
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, "edited/experiment.yaml", "<top level>", "the experiment file the runs read, whose "
                                                                     "SHA-256 the manifest's experiment_sha256 "
                                                                     "records"), err
    assert "Traceback" not in err and out == "" and not (tmp_path / "report.html").exists()
    kept.unlink()  # the report is written without the descriptions
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 0, capsys.readouterr().err


KEPT_EXPERIMENTS = {  # the experiment file a batch keeps, edited: how it is written, field named, expected
    "policies as a list": (lambda p: p.write_text("name: x\npolicies: [1, 2]\n"), "policies", "a mapping of policies"),
    "a policy as a text": (lambda p: p.write_text("name: x\npolicies:\n  a: text\n"), "policies.a", "a policy"),
    "a description that is no text": (lambda p: p.write_text("name: x\ndescription: {a: 1}\n"), "description",
                                      "a text"),
    "binary bytes": (lambda p: p.write_bytes(bytes(range(256))), "<top level>", "a readable UTF-8 text file"),
}


@pytest.mark.parametrize("edit, field, expected", KEPT_EXPERIMENTS.values(), ids=KEPT_EXPERIMENTS)
def test_a_batch_whose_kept_experiment_file_was_edited_exits_2_naming_it(edit, field, expected, tmp_path, dirs,
                                                                         capsys):
    """The report reads the policies' descriptions from it: an AttributeError or UnicodeDecodeError there (a
    manifest edited with it records its SHA-256)."""
    d = shutil.copytree(dirs[1], tmp_path / "batch")
    edit(d / "experiment.yaml")
    recorded(d)
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, "batch/experiment.yaml", field, expected), err
    assert "Traceback" not in err and out == "" and not (tmp_path / "report.html").exists()


def test_a_file_given_as_the_results_folder_is_named_as_such(tmp_path, capsys):
    """Not blamed on the default --out below it."""
    (tmp_path / "afile").write_text("not a folder")
    assert main(["report", str(tmp_path / "afile")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'afile'}: <top level>: expected a directory (a results directory" in err, err
    assert "--out" not in err


def test_a_run_written_with_a_relative_scenario_is_reported_from_any_folder(tmp_path, monkeypatch, capsys):
    """The manifest's scenario_file is as given (relative to where the run was); its input_files hold
    where it was, so the report finds the scenario's groups from elsewhere, and refuses once it is gone
    rather than label the results with another scenario's groups."""
    import tiny_scenario

    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    tiny_scenario.write(work)
    elsewhere.mkdir()
    monkeypatch.chdir(work)
    assert main(["run", "tiny.yaml", "--replications", "2", "--until", "2022", "--quiet", "--out", "run"]) == 0
    monkeypatch.chdir(elsewhere)
    assert main(["report", "../work/run", "--out", "report.html"]) == 0
    assert "Staff" in (elsewhere / "report.html").read_text()
    (work / "tiny.yaml").rename(work / "moved.yaml")
    assert main(["report", "../work/run", "--out", "again.html"]) == 2
    out, err = capsys.readouterr()
    assert "run/manifest.json: scenario_file: expected the scenario file of the results" in err, err
    assert "Traceback" not in err and not (elsewhere / "again.html").exists()



def test_another_scenario_of_the_same_file_name_or_scenario_name_never_labels_the_results(tmp_path, monkeypatch,
                                                                                          capsys):
    """A report run where another ``tiny.yaml`` lies does not read that one; the scenario gone, a shipped
    scenario of the same ``name:`` is not taken for it."""
    import tiny_scenario

    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    tiny_scenario.write(work, {"name": "wales-mh-2021", "groups.staff.label": "Our staff"})
    tiny_scenario.write(elsewhere, {"name": "wales-mh-2021", "groups.staff.label": "Their staff"})
    monkeypatch.chdir(work)
    assert main(["run", "tiny.yaml", "--replications", "2", "--until", "2022", "--quiet", "--out", "run"]) == 0
    monkeypatch.chdir(elsewhere)
    assert main(["report", "../work/run", "--out", "report.html"]) == 0
    page = (elsewhere / "report.html").read_text()
    assert "Our staff" in page and "Their staff" not in page
    (work / "tiny.yaml").unlink()
    assert main(["report", "../work/run", "--out", "again.html"]) == 2
    assert "run/manifest.json: scenario_file: expected the scenario file of the results" in capsys.readouterr().err
    assert not (elsewhere / "again.html").exists()

def test_a_run_of_a_shipped_scenario_written_under_another_installation_is_reported(tmp_path, dirs, capsys):
    """A run records the shipped scenario's path where the package was: a folder copied from another machine
    (or written before the package moved) was refused as if its scenario had gone, though the shipped file of its
    name is the one it ran, byte for byte. One whose recorded content is another's is still refused."""
    from sim import scenario

    copy = shutil.copytree(dirs[0], tmp_path / "run")
    there = str(scenario.SCENARIO_DIR.parent.parent.parent)
    text = (copy / "manifest.json").read_text()
    assert there in text
    (copy / "manifest.json").write_text(text.replace(there, "/home/someone/elsewhere"))
    assert main(["report", str(copy), "--out", str(tmp_path / "report.html")]) == 0, capsys.readouterr().err
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["input_files"] = {name: "0" * 64 for name in manifest["input_files"]}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", str(copy), "--out", str(tmp_path / "again.html")]) == 2
    assert "run/manifest.json: scenario_file: expected the scenario file of the results" in capsys.readouterr().err
    assert not (tmp_path / "again.html").exists()


def test_the_calibration_section_is_of_the_file_the_runs_read_as_they_read_it(tmp_path, dirs, capsys):
    """A run whose manifest records its calibration read from a file of one's own, named as a shipped one: the
    section showed the shipped file in its place, and the file edited since as it is now."""
    from sim.layering import CALIBRATION_DIR, input_files

    copy = shutil.copytree(dirs[0], tmp_path / "run")
    shipped = CALIBRATION_DIR / "wales-mh-v18.yaml"
    own = tmp_path / "fits" / "wales-mh-v18.yaml"
    own.parent.mkdir()
    own.write_text(shipped.read_text().replace("\nscenario: wales-mh-2015\n", "\nscenario: my-history\n"))
    manifest = json.loads((copy / "manifest.json").read_text())
    assert manifest["calibration"] == "wales-mh-v18" and str(shipped) in manifest["input_files"]
    manifest["calibration"] = "fits/wales-mh-v18.yaml"
    manifest["input_files"] = {**{k: v for k, v in manifest["input_files"].items() if k != str(shipped)},
                               **input_files([own])}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", str(copy), "--out", str(tmp_path / "report.html")]) == 0, capsys.readouterr().err
    html = (tmp_path / "report.html").read_text()
    section = html[html.index('id="calibration"'):html.index('id="measures"')]
    assert "the my-history history" in section and 'id="backtest"' not in html
    own.write_text(own.read_text().replace("my-history", "edited-since"))
    assert main(["report", str(copy), "--out", str(tmp_path / "again.html")]) == 0, capsys.readouterr().err
    html = (tmp_path / "again.html").read_text()
    section = html[html.index('id="calibration"'):html.index('id="measures"')]
    assert "history" not in section and "which is no longer as" in section and "not shown" in section


def test_a_target_folder_whose_policy_has_a_schedule_of_places_is_reported(target_dirs, tmp_path):
    """JSON writes a schedule's academic years as text: read back, they are the years the lever was given."""
    d = shutil.copytree(target_dirs[0], tmp_path / "search")
    manifest = json.loads((d / "manifest.json").read_text())
    lever = manifest["policies"]["places"][0]
    manifest["policies"]["places"][0] = {**lever, "places": {2020: 5.0}}  # as a policy with a schedule writes it
    (d / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 0
    assert "The smallest extra of lever training_places (course/student)" in (tmp_path / "report.html").read_text()


EDITED_MANIFESTS = {  # folder, key edited by hand (dotted: within a section), value, field named, expected
    "a run's scenario as a list": ("run", "scenario", ["a"], "scenario", "a valid string"),
    "a run's overrides as a text": ("run", "overrides", "none", "overrides", "a valid dictionary"),
    "a run's seeds as a number": ("run", "replication_seeds", 3, "replication_seeds", "a valid list"),
    "a run's input files as a list": ("run", "input_files", ["x"], "input_files", "a valid dictionary"),
    # the years of a run are its manifest's start to end, and its replications' seeds those of replications.csv
    "a run's end before its start": ("run", "end", "2019-03", "end", "a month from the start (2021-03) on"),
    "a run's seed given twice": ("run", "replication_seeds", [0, 0], "replication_seeds", "each seed once"),
    "a run's people counted as a text": ("run", "people_simulated", "many", "people_simulated", "a valid integer"),
    "a batch's policies with a number for levers": ("batch", "policies", {"a": 1}, "policies.a", "a valid list"),
    # the report describes each lever in words: a lever edited was a KeyError or TypeError there
    "a batch's lever with a text for its factor": ("batch", "policies.nothing",
                                                   [{"lever": "retention", "groups": ["nursing"], "factor": "x"}],
                                                   "policies.nothing.0.retention.factor", "a valid number"),
    "a batch's lever without its factor": ("batch", "policies.nothing", [{"lever": "retention"}],
                                           "policies.nothing.0.retention.factor", "this required field"),
    "a batch's lever with a number for its groups": ("batch", "policies.nothing",
                                                     [{"lever": "retention", "groups": 3, "factor": 1.0}],
                                                     "policies.nothing.0.retention.groups", "a valid list"),
    "a target's values as a text": ("search", "target.values", "0:20:5", "target.values", "a valid list"),
    "a target's lever that is no lever": ("search", "policies", {"places": [{"lever": "x"}]}, "policies.places.0",
                                          ""),  # what pydantic says of an unknown lever is its own
    "a target's policy not among its policies": ("search", "target.policy", "gone", "target.policy",
                                                 "a policy of the manifest's policies"),
    "a target's answer without its interval": ("search", "answer", {"value": 1.0}, "answer",
                                               "a search's value, interval, at_lowest and method"),
    # looked up among the values searched, and the years: a KeyError there; a probability past 1, a ValueError
    "a target's answer not among its values": ("search", "answer.value", 12345.0, "answer.value",
                                               "one of the manifest's target.values"),
    "a target's probability past 1": ("search", "target.probability", 5.0, "target.probability",
                                      "a number less than 1"),
    "an earliest year not among its years": ("earliest", "answer.earliest_year", 2099, "answer.earliest_year",
                                             "a year of years.csv"),
    # the answer is the one the folder's tables give: one edited was reported beside shares that contradict it
    "a target's answer of another value searched": ("search", "answer.value", 22.0, "answer.value",
                                                    "20.0, as the folder's thresholds.csv gives it at the "
                                                    "target.probability 0.5"),
    "a target's interval edited": ("search", "answer.interval", [10.0, 30.0], "answer.interval",
                                   "[18.0, 22.0], as the folder's thresholds.csv gives it"),
    "a target's answer at the lowest value said": ("search", "answer.at_lowest", True, "answer.at_lowest", "false"),
    "a target's answer of another probability": ("search", "target.probability", 0.9, "answer.value",
                                                  "22.0, as the folder's thresholds.csv gives it at the "
                                                  "target.probability 0.9"),
    "an earliest year edited": ("earliest", "answer.earliest_year", 2023, "answer.earliest_year",
                                "2024, as the folder's years.csv gives it"),
    "an earliest year of another probability": ("earliest", "target.probability", 0.9, "answer.earliest_year",
                                                "null, as the folder's years.csv gives it at the target.probability "
                                                "0.9"),
    "an earliest year at another value than asked": ("earliest", "target.earliest_with", 10.0, "answer.value",
                                                     "the target.earliest_with (10.0)"),
    "an earliest year asked of a year not run": ("earliest", "target.year", 2023, "target.year",
                                                 "the last year of years.csv"),
    # a search's thresholds are one row of each of its replications
    "a target's seeds as a number": ("search", "replication_seeds", 6, "replication_seeds", "a valid list"),
    "a target's seed given twice": ("search", "replication_seeds", [0, 0], "replication_seeds", "each seed once"),
}


@pytest.mark.parametrize("folder, key, value, field, expected", EDITED_MANIFESTS.values(), ids=EDITED_MANIFESTS)
def test_a_manifest_edited_to_other_types_exits_2_naming_the_key(folder, key, value, field, expected, dirs,
                                                                  target_dirs, tmp_path, capsys):
    """The keys the readers use are checked for the types the commands write, not found wrong deep in a figure."""
    source = {"run": dirs[0], "batch": dirs[1], "search": target_dirs[0], "earliest": target_dirs[1]}[folder]
    d = shutil.copytree(source, tmp_path / folder)
    manifest = json.loads((d / "manifest.json").read_text())
    *section, last = key.split(".")
    (manifest[section[0]] if section else manifest)[last] = value
    (d / "manifest.json").write_text(json.dumps(manifest))
    for command in (["report", str(d), "--out", str(tmp_path / "report.html")],
                    *([["compare", str(d), "--out", str(tmp_path / "c.csv")]] if folder == "batch" else [])):
        assert main(command) == 2
        out, err = capsys.readouterr()
        assert has_problem(err, f"{folder}/manifest.json", field, expected) and "Traceback" not in err, err
        assert out == "" and not (tmp_path / "report.html").exists() and not (tmp_path / "c.csv").exists()


def _edit_csv(path, edit):
    """Edit a results table, CSV or Parquet, as a pandas table."""
    if path.suffix == ".parquet":
        edit(pd.read_parquet(path)).to_parquet(path, index=False)
        return
    table = pd.read_csv(path)
    edit(table).to_csv(path, index=False)


EDITED_TABLES = {  # folder, table, edit, field named, expected
    "text among a run's replication values": ("run", "replications.csv", lambda t: t.assign(value="many"), "value",
                                               "a column of numbers"),
    "an empty cell among a run's replication years": ("run", "replications.csv",
                                                      lambda t: t.assign(year=t.year.where(t.index > 0)), "year",
                                                      "a number in every row"),
    "a run's replications of another group": ("run", "replications.csv", lambda t: t.assign(group="other"), "group",
                                              "rows for each group of the run's tidy table"),
    "a sensitivity table with its header alone": ("sensitivity", "sensitivity.csv", lambda t: t.iloc[:0], "<top level>",
                                                  "the rows of a table written by workforce"),
    "a sensitivity table without its values": ("sensitivity", "sensitivity.csv", lambda t: t.drop(columns="value"),
                                               "columns", "the columns method, outcome, parameter, index, value"),
    "text among a target's thresholds": ("search", "thresholds.csv", lambda t: t.assign(threshold="lots"),
                                         "threshold", "a column of numbers"),
    "a target's shares at other values than searched": ("search", "probabilities.csv",
                                                        lambda t: t.assign(value=t.value + 0.5), "value",
                                                        "rows for each value of the manifest's target.values"),
    # shown twice, and looked up by value or year
    "a target's shares with a row twice": ("search", "probabilities.csv", lambda t: pd.concat([t, t.iloc[:1]]),
                                           "value", "one row for each value"),
    "an earliest year's shares with a year twice": ("earliest", "years.csv", lambda t: pd.concat([t, t.iloc[:1]]),
                                                    "year", "one row for each year"),
    # reported as written: "2 of 2 replications (500%) meet the target"
    "a target's share above 1": ("search", "probabilities.csv", lambda t: t.assign(share=5.0), "share",
                                 "a share within [0, 1]"),
    "more replications meeting a target than there are": ("search", "probabilities.csv",
                                                          lambda t: t.assign(meeting=t.replications + 1), "meeting",
                                                          "from 0 to the row's replications"),
    "an earliest year's interval below 0": ("earliest", "years.csv", lambda t: t.assign(low=-0.5), "low",
                                            "a share within [0, 1]"),
    "an infinite threshold": ("search", "thresholds.csv", lambda t: t.assign(threshold=float("inf")), "threshold",
                              "finite numbers"),
    # a target's thresholds were read as written: their quantiles taken over a row twice or a row short ("3
    # replications" in one place, "4" in another), a threshold no search finds, and an empty one as beyond the range
    "a target's threshold row twice": ("search", "thresholds.csv", lambda t: pd.concat([t, t.iloc[:1]]),
                                       "replication", "one row for each replication"),
    "a target's threshold row left out": ("search", "thresholds.csv", lambda t: t.iloc[:-1], "replication",
                                          "rows for each replication of the manifest's replication_seeds (0 to 5)"),
    "a target's threshold of a replication it did not run": ("search", "thresholds.csv",
                                                             lambda t: pd.concat([t, t.iloc[:1].assign(replication=6)]),
                                                             "replication", "the replications of the manifest's "
                                                                            "replication_seeds only (0 to 5)"),
    "a target's threshold of another seed": ("search", "thresholds.csv", lambda t: t.assign(seed=t.seed + 1), "seed",
                                             "the seed of each row's replication in the manifest's replication_seeds"),
    "a negative threshold": ("search", "thresholds.csv", lambda t: t.assign(threshold=-t.threshold), "threshold",
                             "a value of the manifest's target.values (0 to 30), or an empty cell"),
    "a threshold between the values searched": ("search", "thresholds.csv",
                                                lambda t: t.assign(threshold=t.threshold + 1), "threshold",
                                                "a value of the manifest's target.values"),
    "an empty threshold said to be within the range": ("search", "thresholds.csv",
                                                       lambda t: t.assign(threshold=float("nan")), "threshold",
                                                       "a threshold as the row's met says"),
    "a threshold said to be beyond the range": ("search", "thresholds.csv",
                                                lambda t: t.assign(met="beyond the range"), "threshold",
                                                "a threshold as the row's met says"),
    "a threshold with nothing said of it": ("search", "thresholds.csv", lambda t: t.assign(met=None), "met",
                                            "a value in every row"),
    "thresholds the shares by value do not count": ("search", "thresholds.csv",
                                                    lambda t: t.assign(threshold=t.threshold + 2), "threshold",
                                                    "as many replications as probabilities.csv has meeting the "
                                                    "target"),
    "a target's shares of more replications than it ran": ("search", "probabilities.csv",
                                                           lambda t: t.assign(replications=t.replications + 1),
                                                           "replications", "the 6 replications of the manifest's "
                                                                           "replication_seeds in every row"),
    # the counts are the share: "2 of 4 replications (90%)" told two answers
    "a target's share its counts do not give": ("search", "probabilities.csv",
                                                lambda t: t.assign(share=t.share.where(t.value != 20, 0.5)), "share",
                                                "the share of the row's replications meeting the target (meeting / "
                                                "replications)"),
    "an earliest year's interval its counts do not give": ("earliest", "years.csv",
                                                           lambda t: t.assign(high=t.high * 0.9), "high",
                                                           "the share of the row's replications meeting the target "
                                                           "(the high end of its 90% interval)"),
    # the runs are those of the manifest's question, and of its thresholds or years
    "a target's run left out": ("search", "runs.csv", lambda t: t.iloc[:-1], "<top level>",
                                "a row for each of the 36 runs the manifest's runs says"),
    "a target's run at a value not searched": ("search", "runs.csv", lambda t: t.assign(value=t.value + 1), "value",
                                               "a value of the manifest's target.values (0 to 30)"),
    "a target's run of another seed": ("search", "runs.csv", lambda t: t.assign(seed=t.seed + 1), "seed",
                                       "the seed of each row's replication"),
    "a target's run said to meet the target that does not": ("search", "runs.csv", lambda t: t.assign(meets=True),
                                                             "meets", "True where the row's result is at most the "
                                                                      "target's most_gap (0), else False"),
    "a target's runs meeting it below their thresholds": ("search", "runs.csv",
                                                          lambda t: t.assign(result=t.result - 1000, meets=True),
                                                          "replication", "the runs of each replication as its row "
                                                                         "of thresholds.csv says"),
    "an earliest year's runs of a year not in its table": ("earliest", "runs.csv", lambda t: t.assign(year=t.year + 1),
                                                           "year", "a year of years.csv in every row"),
    "an earliest year's runs its years do not count": ("earliest", "runs.csv",
                                                       lambda t: t.assign(result=t.result - 1000, meets=True), "meets",
                                                       "as many runs meeting the target in each year as years.csv has"),
    # shown as written, and the key message reads the largest: a row no analysis writes was reported as an index
    "a sensitivity index twice": ("sensitivity", "sensitivity.csv", lambda t: pd.concat([t, t]), "index",
                                  "one row of each method, outcome, parameter and index"),
    "a sensitivity index of no outcome": ("sensitivity", "sensitivity.csv", lambda t: t.assign(outcome=None),
                                          "outcome", "a value in every row"),
    "a sensitivity index its method does not have": ("sensitivity", "sensitivity.csv",
                                                     lambda t: t.assign(index="S1"), "index",
                                                     "an index of its method (morris mu_star, morris sigma"),
    "a sensitivity interval that is not its index's": ("sensitivity", "sensitivity.csv",
                                                       lambda t: t.assign(confidence=0.5, low=0.5, high=2.0), "high",
                                                       "the index plus its confidence"),
    "an infinite sensitivity index": ("sensitivity", "sensitivity.csv", lambda t: t.assign(value=float("inf")),
                                      "value", "finite numbers"),
    # a run's own tables were read past their header unchecked: text or nothing for its values was a TypeError or
    # an IndexError in a figure, or a report of empty values; a table cut at a row's end, a report of fewer years
    "text for a run's values": ("run", "supply.parquet", lambda t: t.assign(value=t.value.astype(str)), "value",
                                "a column of numbers"),
    "empty values of a run": ("run", "supply.parquet", lambda t: t.assign(value=float("nan")), "value",
                              "a number in every row"),
    "a run's table with its header alone": ("run", "supply.parquet", lambda t: t.iloc[:0], "<top level>",
                                            "the rows of a table written by workforce"),
    "a run's table without its last year": ("run", "supply.parquet", lambda t: t[t.year < t.year.max()], "year",
                                            "rows for each year of the run (2021 to 2023, as its manifest's start "
                                            "and end say) and no other"),
    "a run's table with a year after its end": ("run", "supply.parquet", lambda t: t.assign(year=t.year + 1),
                                                "year", "rows for each year of the run (2021 to 2023"),
    "a run's rows of no group": ("run", "supply.parquet", lambda t: t.assign(group=t.group.where(t.index > 0)),
                                 "group", "a value in every row"),
    "an event in a month that is no month": ("run", "events.parquet", lambda t: t.assign(month="March"), "month",
                                             "months of the run as YYYY-MM, from 2021-03 to 2023-03"),
    "an event after the run's end": ("run", "events.parquet", lambda t: t.assign(month="2030-03"), "month",
                                     "months of the run as YYYY-MM"),
    "an event of a person not simulated": ("run", "events.parquet", lambda t: t.assign(person_id=t.person_id + 10**9),
                                           "person_id", "people of"),
    "no events of the people simulated": ("run", "events.parquet", lambda t: t.iloc[:0], "person_id",
                                          "an event for each person of"),
    "text for people's sex": ("run", "people.parquet", lambda t: t.assign(sex="f"), "sex", "a column of numbers"),
    "a sex that is neither 0 nor 1": ("run", "people.parquet", lambda t: t.assign(sex=2), "sex",
                                      "0 (female) or 1 (male) in every row"),
    "a person twice": ("run", "people.parquet", lambda t: pd.concat([t, t.iloc[:1]]), "id", "one row for each id"),
    # the replications' values are the intervals: a replication left out, cut short, counted twice or of another
    # seed was averaged in silence
    "a run's replication left out": ("run", "replications.csv", lambda t: t[t.seed != t.seed.max()], "seed",
                                     "rows for each seed of the manifest's replication_seeds"),
    "a run's replication of another seed": ("run", "replications.csv", lambda t: t.assign(seed=t.seed + 100),
                                            "seed", "rows for each seed of the manifest's replication_seeds"),
    "a replication cut short": ("run", "replications.csv", lambda t: t.iloc[:-5], "measure",
                                "each measure of every group for each seed and year"),
    "a replication's row twice": ("run", "replications.csv", lambda t: pd.concat([t, t.iloc[:1]]), "measure",
                                  "one row of each seed, year, group and measure"),
    "a replication's year after the run": ("run", "replications.csv",
                                           lambda t: pd.concat([t, t.iloc[:1].assign(year=2099)]), "year",
                                           "years of the run's manifest only"),
}


@pytest.mark.parametrize("folder, name, edit, field, expected", EDITED_TABLES.values(), ids=EDITED_TABLES)
def test_a_results_table_edited_past_its_header_exits_2_naming_the_column(folder, name, edit, field, expected, dirs,
                                                                          target_dirs, tmp_path, capsys):
    """A table's rows are checked for what the report reads of them, not found wrong deep in a figure."""
    if folder == "sensitivity":
        d = tmp_path / folder
        d.mkdir()
        pd.DataFrame({"method": ["morris"], "outcome": ["fte:staff:2021"], "parameter": ["groups.staff.leaving.rate"],
                      "index": ["mu_star"], "value": [1.0]}).to_csv(d / name, index=False)
    else:
        d = shutil.copytree({"run": dirs[0], "search": target_dirs[0], "earliest": target_dirs[1]}[folder],
                            tmp_path / folder)
    _edit_csv(d / name, edit)
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, f"{folder}/{name}", field, expected) and "Traceback" not in err, err
    assert out == "" and not (tmp_path / "report.html").exists()


EDITED_QUESTIONS = {  # folder, key of the manifest edited (dotted: within a section), value, field of runs.csv named
    "a target of another group": ("search", "target.group", "other", "group"),
    "a target of another measure": ("search", "target.measure", "vacancies_fte", "measure"),
    "a target of another year": ("search", "target.year", 2023, "year"),
    "a target with another most gap": ("search", "target.most_gap", 5.0, "meets"),
    "a target of more runs": ("search", "runs", 40, "<top level>"),
    "an earliest year of another group": ("earliest", "target.group", "other", "group"),
    "an earliest year of fewer runs": ("earliest", "runs", 5, "<top level>"),
}


@pytest.mark.parametrize("folder, key, value, field", EDITED_QUESTIONS.values(), ids=EDITED_QUESTIONS)
def test_a_target_question_its_runs_were_not_of_exits_2_naming_the_runs(folder, key, value, field, target_dirs,
                                                                        tmp_path, capsys):
    """The question is reported from the manifest: one edited (another group, measure, year or most gap) was asked
    of an answer found for another, with the runs of the search said as the manifest's count of them."""
    d = shutil.copytree(target_dirs[0] if folder == "search" else target_dirs[1], tmp_path / folder)
    manifest = json.loads((d / "manifest.json").read_text())
    *section, last = key.split(".")
    (manifest[section[0]] if section else manifest)[last] = value
    (d / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, f"{folder}/runs.csv", field, "as workforce target writes") and "Traceback" not in err, err
    assert out == "" and not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("table", ["supply.parquet", "supply.csv"])
def test_a_tidy_table_of_another_run_exit_2_naming_the_replications(table, dirs, tmp_path, capsys):
    """Another run's tidy table of the same years, in a run's folder, was reported as this run's, beside
    intervals over replications it is not one of: the first replication's values are the table's."""
    d = shutil.copytree(dirs[0], tmp_path / "run")
    if table == "supply.csv":
        (d / "supply.parquet").unlink()
    _edit_csv(d / table, lambda t: t.assign(value=t.value + 1))
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, "run/replications.csv", "value", f"the first replication's values (seed 0) as the run's "
                                                             f"tidy table ({table}) has them") and \
        "Traceback" not in err, err
    assert not (tmp_path / "report.html").exists()


def test_people_and_events_of_another_run_exit_2_naming_the_people(dirs, tmp_path, capsys):
    """Another run's people.parquet and events.parquet, put in a run's folder together, agree with each other:
    they were shown as this run's people (its age and sex pyramid), however many the run simulated."""
    d = shutil.copytree(dirs[0], tmp_path / "run")
    _edit_csv(d / "people.parquet", lambda t: t[t.id < t.id.max()])
    _edit_csv(d / "events.parquet", lambda t: t[t.person_id < t.person_id.max()])
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, "run/people.parquet", "id", "people the manifest's people_simulated says") and \
        "Traceback" not in err, err
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("name, link", [("supply.parquet", "itself"), ("events.parquet", "nothing"),
                                        ("people.parquet", "a folder")])
def test_a_run_table_that_is_no_regular_file_exits_2_naming_it(name, link, dirs, tmp_path, capsys):
    """A tidy table that is a link to itself was passed over for supply.csv in silence; events or people that
    are a folder or a link to nothing, for a report without the figures that read them."""
    d = shutil.copytree(dirs[0], tmp_path / "run")
    (d / name).unlink()
    if link == "a folder":
        (d / name).mkdir()
    else:
        (d / name).symlink_to(name if link == "itself" else "gone.parquet")
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, f"run/{name}", "<top level>", "a regular file") and "Traceback" not in err, err
    assert out == "" and not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("name, link", [("sensitivity.png", "a folder"), ("sensitivity.png", "itself"),
                                        ("sensitivity.csv", "itself")])
def test_a_sensitivity_file_that_is_no_regular_file_exits_2_naming_it(name, link, tmp_path, capsys):
    """A chart that is a folder or a link to itself was left out with a note, the report written as if whole; an
    indices table linking to itself was said to be a folder without a manifest."""
    d = tmp_path / "sensitivity"
    d.mkdir()
    pd.DataFrame({"method": ["morris"], "outcome": ["fte:staff:2021"], "parameter": ["groups.staff.leaving.rate"],
                  "index": ["mu_star"], "value": [1.0]}).to_csv(d / "sensitivity.csv", index=False)
    if name == "sensitivity.csv":
        (d / name).unlink()
    if link == "a folder":
        (d / name).mkdir()
    else:
        (d / name).symlink_to(name)
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, f"sensitivity/{name}", "<top level>", "a regular file") and "Traceback" not in err, err
    assert out == "" and not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("folder, name, made", [
    *((f, n, m) for f, n in (("search", "target.png"), ("earliest", "target.png"), ("sensitivity", "sensitivity.png"))
      for m in ("a text file", "a link to a text file")),
    ("search", "target.png", "a named pipe"), ("earliest", "target.png", "a named pipe")])
def test_a_figure_that_is_no_png_exits_2_naming_it(folder, name, made, target_dirs, tmp_path, capsys):
    """Whatever a folder's figure held was embedded as a PNG, and the report, which may be emailed, carried its
    bytes (those of any file a link led to); a target's figure that is a named pipe was said to be missing."""
    if folder == "sensitivity":
        d = tmp_path / folder
        d.mkdir()
        pd.DataFrame({"method": ["morris"], "outcome": ["fte:staff:2021"], "parameter": ["groups.staff.leaving.rate"],
                      "index": ["mu_star"], "value": [1.0]}).to_csv(d / "sensitivity.csv", index=False)
    else:
        d = shutil.copytree({"search": target_dirs[0], "earliest": target_dirs[1]}[folder], tmp_path / folder)
        (d / name).unlink()
    (tmp_path / "private.txt").write_text("not for the report\n")
    if made == "a text file":
        (d / name).write_text("not for the report\n")
    elif made == "a named pipe":
        os.mkfifo(d / name)
    else:
        (d / name).symlink_to(tmp_path / "private.txt")
    assert main(["report", str(d), "--out", str(tmp_path / "report.html")]) == 2
    out, err = capsys.readouterr()
    expected = "a regular file" if made == "a named pipe" else "a PNG image (as the command wrote it)"
    assert has_problem(err, f"{folder}/{name}", "<top level>", expected) and "Traceback" not in err, err
    assert "not for the report" not in err and out == "" and not (tmp_path / "report.html").exists()


def test_a_retire_and_return_lever_by_age_band_is_described_by_its_bands():
    bands = [0, 25, 30, 35, 45, 55, 60, 65]
    lever = {"lever": "retire_and_return", "groups": ["nursing"], "share": [0.6] * 6 + [0.4] * 2,
             "stay_years": [2, 4], "start": "2022-04"}
    assert report.lever_words(lever, bands) == ("Retire and return (nursing): retirees returning 60% under 60, "
                                                "40% from 60; for 2 to 4 years, from 2022-04.")
    by_sex = {**lever, "share": {"female": [0.6] * 8, "male": [0.5] * 8}, "stay_years": None}
    assert report.lever_words(by_sex, bands) == \
        "Retire and return (nursing): retirees returning women 60%; men 50%, from 2022-04."


@pytest.mark.parametrize("lever, words", [
    ({"lever": "funded_posts", "groups": ["nursing"], "fte": 50.0, "share": 0.05, "ramp_years": 2.0, "start": "2023-03"},
     "New funded posts (nursing): each group's funded establishment grows by 50 FTE and 5%, reached in equal steps "
     "over 2 years, from 2023-03."),
    ({"lever": "funded_posts", "fte": 10.0, "ramp_years": 0.0},
     "New funded posts (every group): each group's funded establishment grows by 10 FTE."),
    ({"lever": "retention", "factor": 1.2, "groups": ["nursing"], "ages": [55, 100]},
     "20% more leavers (nursing, aged 55 and over)."),
    ({"lever": "retention", "factor": 0.85, "groups": ["nursing"], "ages": [0, 35]},
     "15% fewer leavers (nursing, aged under 35)."),
    ({"lever": "retention", "factor": 0.9, "ages": [25, 45]}, "10% fewer leavers (every group, aged 25 to 44)."),
    ({"lever": "transitions", "stage": "physician_associates/pa_course",
      "shares": {"physician_associates/physician_associate": 0.325, "exit:not_in_mental_health": 0.675}},
     "On completing physician associates: pa course: 32.5% to physician associates: physician associate, "
     "67.5% to work outside mental health."),
    ({"lever": "ltft_training", "stages": ["psychiatry/core_psychiatry"], "share": 0.3},
     "30% of trainees in psychiatry: core psychiatry train less than full time (LTFT)."),
    ({"lever": "ltft_training", "stages": ["psychiatry/core_psychiatry"], "share": {"female": 0.4, "male": 0.05}},
     "40% of women and 5% of men among trainees in psychiatry: core psychiatry train less than full time (LTFT)."),
], ids=["funded posts", "funded posts at once", "more leavers", "young leavers", "middle ages", "an exit", "ltft",
        "ltft by sex"])
def test_every_lever_is_put_in_words(lever, words):
    """Not as the lever's JSON, nor as "-20% fewer" for a factor above 1, nor ages to 100 for no upper bound."""
    assert report.lever_words(lever, [0, 25, 30, 35, 45, 55, 60, 65]) == words


def test_a_comparison_of_one_run_shows_no_nan_in_the_report():
    """A batch of one replication has no confidence interval of a mean difference: the report's table
    says so in words, not '[nan, nan]'."""
    nan = float("nan")
    table = pd.DataFrame({"policy": ["baseline", "policy"], "group": ["total", "total"], "runs": [1, 1],
                          "mean": [10.0, 12.0], "low": [10.0, 12.0], "high": [10.0, 12.0], "diff_mean": [0.0, 2.0],
                          "diff_low": [0.0, 2.0], "diff_high": [0.0, 2.0], "diff_ci_low": [nan, nan],
                          "diff_ci_high": [nan, nan]})
    cells = report._comparison_cells(table)
    assert cells.loc[1, "mean difference 90% CI"] == "none (one run)"
    assert "nan" not in cells.to_string().lower()


def test_a_gap_closing_on_average_is_not_said_to_close_in_every_future():
    """The mean gap closing by a year is told apart from the gap closing in (nearly) every replication: where
    some replications' gaps stay open to the end, the message says so, with the interval's top."""
    def summary(highs):
        years = range(2021, 2025)
        means, lows = [400, 100, -10, -50], [300, 0, -120, -150]
        return pd.DataFrame({"measure": "supply_gap_fte", "group": "nursing", "year": list(years), "mean": means,
                             "low": lows, "high": highs})

    open_gap = report._run_messages(summary([500, 200, 90, 60]), ["nursing"], {}, 2021, 2024, 10)["points"][0]
    assert "closes on average by 2023; in some replications it is still open in 2024 (up to 60 FTE" in open_gap
    closed = report._run_messages(summary([500, 200, 90, -5]), ["nursing"], {}, 2021, 2024, 10)["points"][0]
    assert "closes on average by 2023, in 95% of replications or more by 2024." in closed
    alone = report._run_messages(summary([400, 100, -10, -50]), ["nursing"], {}, 2021, 2024, 1)["points"][0]
    assert "closes by 2023 (one replication)." in alone  # no share of replications to speak of


def test_a_policy_whose_effect_fades_is_ranked_with_its_largest_effect_before():
    """Ranked by the final year alone, a lever buying 80 FTE for five years and 15 by the end would look like
    nothing; its largest effect is said beside it, where it was half as large again."""
    table = pd.DataFrame({"policy": "recruit", "group": "total", "year": [2022, 2026, 2031],
                          "diff_mean": [20.0, 81.0, 15.0], "diff_low": [5.0, 40.0, -10.0],
                          "diff_high": [30.0, 120.0, 40.0]})
    assert report._peak(table, "recruit", 15.0, 2031) == " Largest in 2026: +81 (90% interval +40 to +120)."
    assert report._peak(table, "recruit", 70.0, 2031) == ""  # the final year's is most of it
    assert report._peak(table.assign(diff_mean=[-20.0, -81.0, -15.0]), "recruit", -15.0, 2031) == ""


def test_an_experiment_drawing_parameter_sets_says_its_intervals_contain_its_ranges_and_the_posterior():
    """Parameter sets drawn from an experiment's ranges, each run drawing the calibrated ones from the posterior
    too: both are said, in one sentence that reads; a manifest written before it said what the runs contain
    says the randomness alone, not that the parameters' uncertainty is left out."""
    from types import SimpleNamespace

    shown = pd.DataFrame({"policy": ["baseline", "more"], "group": "total", "year": 2031, "mean": [10.0, 12.0],
                          "low": [9.0, 11.0], "high": [11.0, 13.0], "diff_mean": [0.0, 2.0], "diff_low": [0.0, 1.0],
                          "diff_high": [0.0, 3.0], "diff_ci_low": [0.0, 1.5], "diff_ci_high": [0.0, 2.5]})
    manifest = {"experiment": "e", "parameter_sets": [{"a": 1.0}, {"a": 2.0}], "replication_seeds": [1, 2],
                "uncertainty": "the posterior"}
    said = report._batch_messages(SimpleNamespace(manifest=manifest), shown, 2031, {})["points"][-1]
    assert said == ("The intervals are over 2 replications x 2 parameter sets drawn from the experiment's uncertain "
                    "ranges: they contain the uncertainty of those ranges, and the posterior; none includes the "
                    "uncertainty of the model's structure.")
    del manifest["uncertainty"]
    said = report._batch_messages(SimpleNamespace(manifest=manifest), shown, 2031, {})["points"][-1]
    assert "those ranges, and the model's randomness;" in said and "not the uncertainty" not in said


def test_the_indices_a_sensitivity_table_is_held_to_are_those_the_analysis_writes():
    from sim import sensitivity

    assert {(m, i) for m, names in folders.INDICES.items() for i in names} == set(sensitivity.LABELS)
