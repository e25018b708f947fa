"""The dashboard: the model behind it, the command, and the page in a real browser (headless Chromium)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO
from sim.cli import main

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / "results" / "screenshots"
REQUIRE_BROWSER = "WORKFORCE_REQUIRE_BROWSER"  # set (to 1) by .ci/run: a browser test that cannot run fails


def missing_chromium(path: str = CHROMIUM, install=None) -> str | None:
    """None when Debian's Chromium is at ``path`` (installed now if need be); else why it is not.

    Playwright's own browser download is not used: on Debian, as root, the ``chromium`` package is
    installed with apt-get, so the README's test command needs nothing installed beforehand.
    """
    if Path(path).is_file():
        return None
    why = (install or install_chromium)()
    if why is None and Path(path).is_file():
        return None
    return f"the browser test did not run: {path} is missing and {why or 'installing chromium did not provide it'}"


def install_chromium() -> str | None:
    """Install Debian's chromium package (None), or say why it cannot be installed here."""
    import shutil

    if not Path("/etc/debian_version").is_file() or shutil.which("apt-get") is None:
        return "this is not a Debian system with apt-get (install Chromium at that path to run it)"
    if os.geteuid() != 0:
        return "installing it needs root (run: sudo apt-get install chromium)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
        except subprocess.TimeoutExpired:
            return f"'{' '.join(command)}' took more than 30 minutes"
        if done.returncode != 0:
            return f"'{' '.join(command)}' failed (exit {done.returncode}): {done.stderr.strip()[-300:]}"
    return None


def skip_or_fail(reason: str | None) -> None:
    """Skip a test that cannot run, saying why; under WORKFORCE_REQUIRE_BROWSER=1 (CI) fail it instead."""
    if reason is None:
        return
    if os.environ.get(REQUIRE_BROWSER, "") not in ("", "0"):
        pytest.fail(f"{reason} ({REQUIRE_BROWSER} is set: the browser test must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium, installed if missing; otherwise the test is skipped (or fails in CI)."""
    skip_or_fail(missing_chromium())
    return CHROMIUM


# ---- the model behind the page ------------------------------------------------------------------
def test_levers_at_their_neutral_values_leave_the_policy_identical_to_the_baseline():
    from sim.app import DashboardModel

    model = DashboardModel(until=2023)
    assert model.levers == []
    model.run()
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 25
    assert (df["FTE total"] == df["Baseline FTE total"]).all()
    for g in model.inputs.groups:
        assert (df[f"FTE {g}"] == df[f"Baseline FTE {g}"]).all()


def test_a_lever_moves_its_group_only_and_steps_stop_at_the_end():
    from sim.app import DashboardModel

    model = DashboardModel(until=2023, international_recruits=100)
    model.run()
    last = model.report
    assert last["FTE nursing"] > last["Baseline FTE nursing"] + 50
    for g in model.inputs.groups:
        if g != "nursing":
            assert last[f"FTE {g}"] == last[f"Baseline FTE {g}"], g  # common random numbers
    end = model.now
    model.step()  # Mesa's controller may ask for more steps than the run has
    assert model.now == end and model.baseline.now == end


def test_each_input_becomes_its_lever():
    from sim.app import policy
    from sim.scenario import DEFAULT, compiled

    s = compiled(DEFAULT)
    levers = policy(s, retention=20, return_share=10, ltft_share=30, international_recruits=40,
                    recruit_group="psychiatry", nursing_places=25, caap_places=0)
    kinds = [x.kind for x in levers]
    assert kinds == ["training_places", "retention", *["retire_and_return"] * len(s.groups), "ltft_training",
                     "recruitment"]
    assert levers[0].stage == "nursing/pre_registration_degree" and levers[0].extra == 25
    assert levers[1].factor == pytest.approx(0.8)
    nursing_return = levers[2]
    assert nursing_return.groups == ["nursing"] and nursing_return.share == pytest.approx(s.return_share[0] + 0.1)
    assert levers[-2].share == pytest.approx(0.3) and levers[-1].groups == ["psychiatry"]
    assert levers[-1].extra_per_year == 40 and levers[-1].source == "international"
    assert policy(s) == []


@pytest.mark.parametrize("inputs, expected", [
    ({"retention": 150}, "Fewer leavers (%): expected a whole number from 0 to 50 (found 150)"),
    ({"ltft_share": -5}, "Psychiatry LTFT trainees (%): expected a whole number from 0 to 100 (found -5)"),
    ({"nursing_places": 2.5}, "Extra nursing degree places: expected a whole number from 0 to 300 (found 2.5)"),
    ({"until": "2031"}, "Last year (March): expected a whole number from 2022 to 2041 (found '2031')"),
    ({"international_recruits": float("nan")}, "International recruits a year: expected a whole number from 0 to 300"),
    ({"recruit_group": "midwifery"}, "Group of the international recruits: expected one of nursing, psychiatry"),
])
def test_an_input_outside_its_range_is_not_run_and_the_page_says_what_was_expected(inputs, expected):
    import ipyvuetify
    import solara

    from sim.app import DashboardModel, NumbersTable

    model = DashboardModel(**inputs)
    assert len(model.problems) == 1 and model.problems[0].startswith(expected), model.problems
    assert model.levers == [] and not model.running
    start = model.now
    model.step()
    assert model.now == start  # the play button does nothing
    _, rc = solara.render(NumbersTable(model), handle_error=False)
    alerts = rc.find(ipyvuetify.Alert).widgets
    assert [a.children for a in alerts] == [[f"{model.problems[0]}. Not run: change it and press Reset."]]
    _, rc = solara.render(NumbersTable(DashboardModel(until=2022, retention=50)), handle_error=False)
    assert not rc.find(ipyvuetify.Alert).widgets  # in range: no message


def test_every_input_is_a_model_argument():
    from mesa.visualization.solara_viz import _check_model_params

    from sim.app import DashboardModel, model_params

    params = model_params()
    assert {"until", "nursing_places", "retention", "return_share", "ltft_share", "international_recruits",
            "rng"} <= set(params)
    _check_model_params(DashboardModel.__init__, params)  # raises for an input the model does not take


@pytest.mark.parametrize("port, expected", [("70000", "--port: port: expected a port number from 0 to 65535"),
                                            ("busy", "--port: port: expected a free port on 127.0.0.1")])
def test_dashboard_with_a_bad_port_exits_2(capsys, port, expected):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        number = busy.getsockname()[1] if port == "busy" else port
        assert main(["dashboard", "--port", str(number)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"workforce: invalid input\n{expected}") and out == ""


# ---- the page in a browser -------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dashboard(tmp_path):
    """``workforce dashboard`` on a free port; yields its URL and stops it afterwards."""
    port = free_port()
    log = open(tmp_path / "dashboard.log", "w")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", "--port", str(port)], cwd=tmp_path,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                pytest.fail(f"the dashboard exited ({process.returncode}):\n{(tmp_path / 'dashboard.log').read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not answer:\n{(tmp_path / 'dashboard.log').read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def table(page) -> dict[str, dict[str, float]]:
    """The numbers table: group -> FTE (policy), FTE (baseline), difference."""
    out = {}
    for row in page.locator(".workforce-numbers").first.locator("tr[data-group]").all():
        cells = [c.inner_text() for c in row.locator("td").all()]
        out[row.get_attribute("data-group")] = {
            "policy": float(cells[1].replace(",", "")), "baseline": float(cells[2].replace(",", "")),
            "difference": float(cells[3].replace(",", ""))}
    return out


def charts(page) -> list[str]:
    """Sources of the chart images that the browser has drawn (non-zero natural size)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('img'))
        .filter(img => img.complete && img.naturalWidth > 100 && img.offsetParent !== null)
        .map(img => img.src)""")


def set_slider(page, name: str, *keys: str) -> str:
    slider = page.get_by_role("slider", name=name)
    slider.focus()
    for key in keys:
        slider.press(key)
        time.sleep(0.2)  # each key is a change sent to the server
    return slider.get_attribute("aria-valuenow")


def test_without_chromium_the_browser_test_is_skipped_saying_why_and_fails_in_ci(tmp_path, monkeypatch):
    missing = str(tmp_path / "chromium")
    reason = missing_chromium(missing, install=lambda: "installing it needs root")
    assert reason == f"the browser test did not run: {missing} is missing and installing it needs root"
    monkeypatch.delenv(REQUIRE_BROWSER, raising=False)
    with pytest.raises(pytest.skip.Exception, match="did not run"):
        skip_or_fail(reason)
    monkeypatch.setenv(REQUIRE_BROWSER, "1")
    with pytest.raises(pytest.fail.Exception, match="WORKFORCE_REQUIRE_BROWSER is set"):
        skip_or_fail(reason)
    skip_or_fail(None)  # found: the test runs
    installed = tmp_path / "installed"

    def install():  # as apt-get does: the browser is there afterwards
        installed.write_text("")

    assert missing_chromium(str(installed), install=install) is None


def test_dashboard_in_a_browser_changes_a_lever_runs_and_redraws(chromium, dashboard):
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(dashboard, timeout=60_000)
            numbers = page.locator(".workforce-numbers").first
            expect(numbers).to_contain_text("Workforce at 2021-03", timeout=90_000)
            expect(numbers).to_contain_text("none (the policy is the baseline)")
            before = table(page)
            assert before["nursing"]["policy"] == pytest.approx(3218.2, abs=0.1)  # the starting stock (F§1)
            assert all(row["difference"] == 0 for row in before.values())
            page.wait_for_function("document.querySelectorAll('img').length >= 2", timeout=30_000)
            drawn_before = charts(page)
            assert len(drawn_before) == 2  # FTE by group, supply against demand

            assert set_slider(page, "International recruits a year", "End") == "300"
            assert set_slider(page, "Last year (March)", "Home", "ArrowRight", "ArrowRight") == "2024"
            time.sleep(1)
            page.get_by_role("button", name="Reset").click()
            expect(numbers).to_contain_text("month 0 of 36", timeout=30_000)
            expect(numbers).to_contain_text("recruitment(groups=['nursing'], extra_per_year=300.0, source=international)")
            page.get_by_role("button", name="▶").click()
            expect(numbers).to_contain_text("Workforce at 2024-03", timeout=180_000)
            time.sleep(2)  # the last redraw of the charts
            after = table(page)
            page.screenshot(path=str(SCREENSHOTS / "dashboard.png"))

            assert after["nursing"]["policy"] != before["nursing"]["policy"]
            assert after["nursing"]["difference"] > 100  # 300 recruits a year fill vacancies
            assert after["nursing"]["difference"] == pytest.approx(after["nursing"]["policy"] - after["nursing"]["baseline"],
                                                                   abs=0.11)
            assert all(row["difference"] == 0 for g, row in after.items() if g not in ("nursing", "total"))
            assert after["total"]["difference"] == pytest.approx(after["nursing"]["difference"], abs=0.11)
            drawn_after = charts(page)
            assert len(drawn_after) == 2 and set(drawn_after).isdisjoint(drawn_before)  # both charts redrawn

            page.get_by_role("tab", name="Page 1").click()
            comparison = page.locator(".workforce-numbers").last
            expect(comparison).to_contain_text("Workforce at 2024-03", timeout=30_000)
            page.wait_for_function("""() => Array.from(document.querySelectorAll('img'))
                .filter(img => img.offsetParent !== null && img.naturalWidth > 100).length >= 2""", timeout=30_000)
            assert len(charts(page)) == 2  # policy against baseline over time, difference by group
            page.screenshot(path=str(SCREENSHOTS / "dashboard-comparison.png"))
        finally:
            browser.close()
    assert (SCREENSHOTS / "dashboard.png").stat().st_size > 20_000


def month(page) -> int:
    """The month the page's model is at (months since the scenario's start)."""
    text = page.locator(".workforce-numbers").first.inner_text()
    return int(re.search(r"\(month (\d+) of", text).group(1))


def test_each_visitor_gets_a_model_of_their_own(dashboard):
    """A second browser session starts from the scenario's start, not from another visitor's run,
    and stepping in one session leaves the other's model where it was."""
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).is_file(), "Debian's chromium package is needed (.ci/run installs it)"
    start = re.compile(r"Workforce at 2021-03 \(month 0 of 120")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = []
            for _ in range(2):
                page = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
                page.goto(dashboard, timeout=60_000)
                expect(page.locator(".workforce-numbers").first).to_contain_text(start, timeout=90_000)
                pages.append(page)
                if len(pages) == 1:  # the first visitor runs a step (the controls' render interval, in months)
                    page.get_by_role("button", name="Step").click()
                    expect(page.locator(".workforce-numbers").first).not_to_contain_text(start, timeout=60_000)
                    step = month(page)
                    assert step > 0
            first, second = pages
            for n in (1, 2):  # the second visitor, who started afresh, runs two steps ...
                second.get_by_role("button", name="Step").click()
                expect(second.locator(".workforce-numbers").first).to_contain_text(f"(month {n * step} of",
                                                                                   timeout=60_000)
            assert month(first) == step
            first.get_by_role("button", name="Step").click()  # ... and the first goes on from where it was
            expect(first.locator(".workforce-numbers").first).to_contain_text(f"(month {2 * step} of", timeout=60_000)
            time.sleep(1)
            assert month(second) == 2 * step
        finally:
            browser.close()
