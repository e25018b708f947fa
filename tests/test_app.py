"""The dashboard: the model behind it, the command, and the page in a real browser (headless Chromium)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, has_problem
from sim.cli import main
from sim.errors import InputError

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


# ---- the runs behind the page -------------------------------------------------------------------
def test_levers_at_their_neutral_values_leave_the_policy_identical_to_the_baseline():
    from sim.app import Inputs, rows, simulate

    result = simulate(Inputs(until=2023, replications=2))
    assert result.runs.policy.unique().tolist() == ["baseline", "policy"]
    assert result.runs.seed.nunique() == 2
    assert all(r["difference"] == r["difference_low"] == r["difference_high"] == 0 for r in rows(result))
    for year in (1990, 2022.5, "2022"):  # a year the runs lack failed inside, a KeyError of the table's rows
        with pytest.raises(InputError) as info:
            rows(result, year)
        assert has_problem(str(info.value), "sim.app.rows", "year", "a year of the runs (2021-2023)"), str(info.value)


def test_a_lever_moves_its_group_only_with_an_interval_over_replications():
    from sim.app import Inputs, rows, simulate

    # a fifth fewer nurses leaving: unlike recruits, whom vacancies may not take, every draw feels it
    result = simulate(Inputs(until=2023, replications=3, retention=20, retention_group="nursing"))
    table = {r["group"]: r for r in rows(result)}
    nursing = table["nursing"]
    # a fifth of about two years' 110-140 nurse leavers at the posterior's rates: at least 25 FTE more
    assert nursing["difference"] > 25 and nursing["difference_low"] < nursing["difference_high"]
    assert nursing["policy_low"] < nursing["policy_high"]  # a band, not one seed
    assert all(r["difference"] == 0 for g, r in table.items() if g not in ("nursing", "total"))  # common random numbers
    assert table["training"]["policy"] > 0  # trainees in service, apart from FTE in post


def test_each_input_becomes_its_lever_from_the_chosen_year():
    from sim.app import Inputs, compiled, describe, levers, overrides

    inputs = Inputs(retention=20, retention_group="nursing", return_share=10, ltft_share=30, recruits=40,
                    recruit_group="psychiatry", start_year=2023, growth=1.5, feedbacks=("workload",))
    inputs = inputs.with_places("nursing/pre_registration_degree", 25)
    s = compiled(inputs)
    chosen = levers(inputs, s)
    assert [x.kind for x in chosen] == ["training_places", "retention", *["retire_and_return"] * len(s.groups),
                                        "ltft_training", "recruitment"]
    assert {x.start for x in chosen} == {"2023-03"}
    assert chosen[0].stage == "nursing/pre_registration_degree" and chosen[0].extra == 25
    assert chosen[1].factor == pytest.approx(0.8) and chosen[1].groups == ["nursing"]
    assert chosen[2].share == pytest.approx(list(s.return_share[0, 0] + 0.1))  # each age band's, 10 points up
    assert describe(chosen[2], s) == "retirees returning (Registered nurses) from 2023-03: 66% under 60, 47% from 60"
    assert chosen[-1].groups == ["psychiatry"]
    ltft = chosen[-2].share  # 30% of trainees, split between the sexes as the scenario's 14% is (29% and 2%)
    assert ltft["female"] / ltft["male"] == pytest.approx(0.29 / 0.02, rel=1e-4)
    assert describe(chosen[-2], s) == ("30% of psychiatry trainees train less than full time (61% of women, 4% of "
                                       "men) from 2023-03")
    assert levers(Inputs(), s) == [] and overrides(Inputs(), s) == {}
    changes = overrides(inputs, s)
    assert changes["feedbacks.workload.enabled"] is True
    assert {changes[f"groups.{g}.establishment.growth_per_year"] for g in s.groups} == {0.015}


def test_a_scenario_whose_groups_grow_apart_has_no_growth_of_its_own_to_keep():
    """The history scenario's establishments grow at each group's published rate: the slider at 0% is every
    group at 0%, not the scenario as it is, and its help says what the scenario's are."""
    from sim.app import Inputs, compiled, default_growth, describe_overrides, growth_text, overrides

    s = compiled(Inputs(scenario="wales-mh-2015"))
    assert default_growth(s) is None and growth_text(s).startswith("the scenario's differs by group, from -0.46%")
    flat = Inputs(scenario="wales-mh-2015", growth=0.0)
    assert set(overrides(flat, s).values()) == {0.0} and len(overrides(flat, s)) == len(s.groups)
    assert describe_overrides(flat, s) == ["funded establishment grows 0% a year in every group"]
    assert describe_overrides(Inputs(growth=-1.5), compiled(Inputs())) == [
        "funded establishment shrinks 1.5% a year in every group"]

def test_a_lever_the_page_does_not_make_is_put_in_the_reports_words():
    from sim.app import Inputs, compiled, describe
    from sim.interventions import RetireAndReturn, TrainingPlaces

    s = compiled(Inputs())
    assert describe(TrainingPlaces(stage="nursing/pre_registration_degree", places={2025: 600}), s) == \
        "Commissioned training places, nursing: pre registration degree: places a year 600 from 2025."
    assert describe(RetireAndReturn(groups=["nursing"], hours_cut=0.3), s) == \
        "Retire and return (nursing): with 30% fewer hours."


def test_the_downloaded_experiment_file_reruns_the_pages_runs(tmp_path):
    from sim import experiment
    from sim.app import Inputs, experiment_text, jobs

    inputs = Inputs(until=2026, replications=3, seed=7, recruits=50, start_year=2022, growth=1.0).with_places(
        "psychiatry/core_psychiatry", 8)
    path = tmp_path / "dashboard-experiment.yaml"
    path.write_text(experiment_text(inputs))
    loaded = experiment.load(path)
    assert loaded.final_year() == 2026 and loaded.spec.replications == 3
    batch = {(j.policy, j.seed): (j.levers, j.overrides, j.until) for j in loaded.jobs()}
    page = {(j.policy, j.seed): (j.levers, j.overrides, j.until) for j in jobs(inputs)}
    assert batch == page


@pytest.mark.parametrize("inputs, expected", [
    ({"retention": 150}, "Fewer leavers (%): expected a whole number from 0 to 50 (found 150)"),
    ({"ltft_share": -5},
     "Psychiatry trainees less than full time (%): expected a whole number from 0 to 100 (found -5)"),
    ({"until": "2031"}, "Last year (March): expected a whole number from 2022 to 2041 (found '2031')"),
    ({"recruits": float("nan")}, "International recruits a year: expected a whole number from 0 to 300"),
    ({"recruit_group": "midwifery"}, "Group of the international recruits: expected one of nursing, psychiatry"),
    # support workers are recruited from the labour market and return to practice only: the lever's pool
    # would be one the group does not have, and the run and the downloaded experiment file refused
    ({"recruits": 20, "recruit_group": "hcsw"},
     "Group of the international recruits: expected one of nursing, psychiatry, psychological_therapies, "
     "occupational_therapy (found 'hcsw')"),
    ({"places": (("nursing/pre_registration_degree", 2.5),)},
     "Nursing degree: extra places a year: expected a whole number from 0 to 300 (found 2.5)"),
    ({"growth": 10 ** 400}, "Establishment growth (% a year): expected a number from -5 to 10"),  # past floats
])
def test_an_input_outside_its_range_is_not_run_and_the_page_says_what_was_expected(inputs, expected):
    from sim.app import Inputs, compiled, problems

    found = problems(Inputs(**inputs), compiled(Inputs()))
    assert len(found) == 1 and found[0].startswith(expected), found
    assert problems(Inputs(retention=50, until=2022), compiled(Inputs())) == []


def test_an_uploaded_scenario_that_is_wrong_gets_a_message_naming_file_field_and_expected():
    import yaml

    from sim.app import load_upload

    shipped = (REPO / "sim/data/scenarios/wales-mh-2021.yaml").read_bytes()
    data = yaml.safe_load(shipped)
    data["groups"]["nursing"]["establishment"]["growth_per_year"] = "fast"
    path, message = load_upload("my scenario.yaml", yaml.safe_dump(data).encode())
    assert path is None
    assert has_problem(message, "my_scenario.yaml", "groups.nursing.establishment.growth_per_year", "number"), message
    path, message = load_upload("x.yaml", b"a: [1")
    assert path is None and message.startswith("x.yaml: <top level>: expected valid YAML")
    path, message = load_upload("wales.yaml", shipped)
    assert message is None and path.endswith("wales.yaml")


def test_psychiatry_trainees_less_than_full_time_in_a_scenario_without_them_is_refused_naming_the_input(tmp_path):
    """The page shows no slider for them; from Python the share is refused, not a ValueError from the stage's look-up."""
    import tiny_scenario

    from sim.app import Inputs, compiled, problems, simulate

    inputs = Inputs(scenario=str(tiny_scenario.write(tmp_path)), until=2022, recruit_group="staff", ltft_share=30)
    assert problems(inputs, compiled(inputs))[0].startswith("Psychiatry trainees less than full time (%): expected "
                                                           "None, as this scenario has no psychiatry/core_psychiatry")
    with pytest.raises(InputError) as info:
        simulate(inputs)
    assert [(p.file, p.field) for p in info.value.problems] == [("sim.app.simulate", "inputs.ltft_share")]


def test_an_uploaded_file_with_a_name_longer_than_a_file_system_takes_is_kept_under_a_shorter_one():
    from sim.app import UPLOAD_NAME, load_upload

    path, message = load_upload("a" * 400 + ".yaml", b"extends: wales-mh-2021\nname: long\n")
    assert message is None and len(Path(path).name) == UPLOAD_NAME and path.endswith("aaaaa.yaml")


def test_an_uploaded_scenario_ending_in_its_first_year_is_refused_as_the_page_could_never_run_it():
    from sim.app import load_upload

    path, message = load_upload("short.yaml", b"extends: wales-mh-2021\nname: short\nend: 2021-12\n")
    assert path is None and message.startswith("short.yaml: end: expected a month in a later year than the start "
                                               "(2021-03)"), message
    path, message = load_upload("year.yaml", b"extends: wales-mh-2021\nname: year\nend: 2022-03\n")
    assert message is None and path.endswith("year.yaml")


def test_the_page_names_the_scenarios_own_months_for_the_runs_end_and_the_levers_start():
    """A run ends in the scenario's end month of the last year, and levers start in its start month: a scenario
    from September to January says so wherever the shipped one (March to March) says March."""
    from types import SimpleNamespace

    import ipyvuetify
    import pandas as pd
    import solara
    import solara.widgets
    from matplotlib.figure import Figure

    from sim import app

    path, message = app.load_upload("autumn.yaml", b"extends: wales-mh-2021\nname: autumn\nstart: 2021-09\n"
                                                   b"end: 2032-01\n")
    assert message is None
    question = SimpleNamespace(target_text=lambda s: "the gap is at most 0 FTE", year=2031, probability=0.8,
                               values=(0.0, 300.0))
    answer = SimpleNamespace(question=question, answer=None, thresholds=[1, 2], runs=4)
    for scenario, end, start in [(path, "January", "September"), (app.scenario_module.DEFAULT, "March", "March")]:
        inputs = app.Inputs(scenario=scenario, until=2031, start_year=2025)
        s = app.compiled(inputs)
        wrong = app.problems(app.Inputs(scenario=scenario, until=2050, start_year=2060), s)
        assert [w.split(":")[0] for w in wrong] == [f"Last year ({end})", f"Levers in force from ({start} of)"]
        assert f"in {end} 2031 in fewer than" in app.target_text(answer, s)
        ax = Figure().subplots()
        app._years(ax, app.Result(inputs, pd.DataFrame({"year": [2022, 2031]}), {}, s))
        assert ax.get_xlabel() == ("March of year" if end == start else "September of year (January 2031 last)")
        before = app.current.value
        try:
            app.current.value = inputs
            _, rc = solara.render(app.Controls(s), handle_error=False)
            sliders = [w.label for w in rc.find(ipyvuetify.Slider).widgets]
            assert sliders[:2] == [f"Last year ({end})", f"Levers in force from ({start} of)"]
            helps = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
            assert f"The run ends in {end} 2031." in helps
            assert any(f"acts from {start} 2025;" in h for h in helps), helps
        finally:
            app.current.value = before


def test_a_cell_of_the_numbers_table_rounds_to_whole_fte_with_no_minus_zero():
    import numpy as np

    from sim.app import _cell

    assert _cell(np.float64(0.6), np.float64(-0.4), np.float64(1.7), sign=True) == "+1 (+0 to +2)"
    assert _cell(-0.2, -0.3, -0.1, sign=True) == "+0"
    assert _cell(1234.4, 1200.2, 1300.9) == "1,234 (1,200 to 1,301)"


def test_an_uploaded_scenario_is_listed_by_its_file_name_not_the_servers_folder():
    from sim.app import load_upload, scenario_names, shipped_scenarios

    text = b"extends: wales-mh-2021\nname: mine\n"
    first, second = load_upload("mine.yaml", text)[0], load_upload("mine.yaml", text)[0]
    names = scenario_names((first, second))
    assert list(names) == [*shipped_scenarios(), "mine.yaml (uploaded)", "mine.yaml (uploaded 2)"]
    assert names["mine.yaml (uploaded)"] == first and names["mine.yaml (uploaded 2)"] == second
    assert names["wales-mh-2021"] == "wales-mh-2021"


@pytest.mark.parametrize("content, found", [(b"", "an empty file"), (b"- name\n- start\n", "a list"),
                                            (b"wales\n", "a single line of text"), (b"12\n", "a single value")])
def test_an_uploaded_file_that_is_not_a_mapping_says_what_it_is_in_words(content, found):
    """In words, and never what the file holds (a path pointed at a credentials file must not print it)."""
    from sim.app import load_upload

    path, message = load_upload("mine.yaml", content)
    assert path is None and message == f"mine.yaml: <top level>: expected a mapping of keys to values (found {found!r})"


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


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """``workforce dashboard`` on a free port, shared by the browser tests; yields its URL."""
    folder = tmp_path_factory.mktemp("dashboard")
    port = free_port()
    log = open(folder / "dashboard.log", "w")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", "--port", str(port)], cwd=folder,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                pytest.fail(f"the dashboard exited ({process.returncode}):\n{(folder / 'dashboard.log').read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not answer:\n{(folder / 'dashboard.log').read_text()}")
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
    assert "cdn.jsdelivr" not in (folder / "dashboard.log").read_text()  # nothing fetched from the internet


def table(page) -> dict[str, dict[str, float]]:
    """The numbers table: group -> policy, baseline, difference and the difference's interval."""
    out = {}
    for row in page.locator(".workforce-numbers tr[data-group]").all():
        out[row.get_attribute("data-group")] = {
            k.replace("_", " "): float(row.get_attribute(f"data-{k}"))
            for k in ("policy", "baseline", "difference", "difference_low", "difference_high")}
    return out


def charts(page) -> list[str]:
    """Sources of the chart images that the browser has drawn and shows (non-zero natural size)."""
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


def open_page(browser, url: str, width: int):
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True).new_page()
    page.goto(url, timeout=60_000)
    expect(page.get_by_role("button", name="Run")).to_be_visible(timeout=90_000)
    return page


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


def test_dashboard_on_a_laptop_two_visitors_a_policy_with_bands_and_a_download(chromium, dashboard, tmp_path):
    """At 1400 px: one visitor runs a policy (bands over replications, the other groups unmoved),
    another sees nothing of it, and the levers in force download as an experiment file that loads."""
    import pandas as pd
    from playwright.sync_api import expect, sync_playwright

    from sim import experiment
    from sim.app import TITLE

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            first, second = open_page(browser, dashboard, 1400), open_page(browser, dashboard, 1400)
            assert first.title() == TITLE
            assert set_slider(first, "International recruits a year", "End") == "300"
            assert set_slider(first, "Last year (March)", "Home", "ArrowRight", "ArrowRight") == "2024"
            time.sleep(0.5)
            first.get_by_role("button", name="Run").click()
            numbers = first.locator(".workforce-numbers")
            expect(numbers).to_contain_text("FTE in post in March 2024", timeout=120_000)
            expect(numbers).to_contain_text("300 more international recruits a year available (Registered nurses)")
            rows = table(first)
            nursing = rows["nursing"]
            assert nursing["difference"] > 100 and nursing["difference low"] < nursing["difference high"]  # a band
            assert nursing["difference"] == pytest.approx(nursing["policy"] - nursing["baseline"], abs=0.01)
            assert all(r["difference"] == 0 for g, r in rows.items() if g not in ("nursing", "total"))
            first.wait_for_function("""() => Array.from(document.querySelectorAll('img'))
                .filter(img => img.offsetParent !== null && img.naturalWidth > 100).length >= 2""", timeout=30_000)
            assert len(charts(first)) == 2  # policy and baseline over time, the effect by group
            first.screenshot(path=str(SCREENSHOTS / "dashboard.png"))

            # the second visitor has their own levers and no results
            expect(second.locator(".workforce-empty")).to_be_visible()
            assert second.get_by_role("slider", name="International recruits a year").get_attribute(
                "aria-valuenow") == "0"

            # a lever changed after the run is not silently ignored
            set_slider(first, "Fewer leavers (%)", "ArrowRight")
            expect(first.locator(".workforce-stale")).to_be_visible(timeout=30_000)

            first.get_by_role("tab", name="Downloads").click()
            with first.expect_download(timeout=30_000) as info:
                first.get_by_role("button", name="Levers in force (experiment file)").click()
            path = tmp_path / "experiment.yaml"
            info.value.save_as(path)
            loaded = experiment.load(path)
            (recruits,) = loaded.policies["policy"]
            assert recruits.kind == "recruitment" and recruits.extra_per_year == 300 and loaded.final_year() == 2024
            with first.expect_download(timeout=30_000) as info:
                first.get_by_role("button", name="Tidy table (CSV)").click()
            info.value.save_as(tmp_path / "runs.csv")
            runs = pd.read_csv(tmp_path / "runs.csv")
            assert {"policy", "replication", "seed", "year", "group", "measure", "value"} <= set(runs.columns)
            assert runs.seed.nunique() == 6 and set(runs.policy) == {"baseline", "policy"}

            # what it takes: the places needed for the nursing gap, searched with the page's levers
            find = first.get_by_role("button", name="Find the places needed")
            find.scroll_into_view_if_needed()
            find.click()
            answer = first.locator(".workforce-answer")
            expect(answer).to_contain_text("extra places a year", timeout=120_000)
            expect(answer).to_contain_text("Registered nurses (MH)")
            answer.scroll_into_view_if_needed()
            first.screenshot(path=str(SCREENSHOTS / "dashboard-target.png"))
        finally:
            browser.close()
    assert (SCREENSHOTS / "dashboard.png").stat().st_size > 20_000


def test_dashboard_on_a_phone_fits_the_screen_and_runs(chromium, dashboard):
    """At 400 px: no drawer, nothing wider than the screen, the controls reachable, a run shown."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = open_page(browser, dashboard, 400)
            assert page.locator(".v-navigation-drawer").count() == 0
            with page.expect_file_chooser(timeout=30_000) as chooser:  # a file chooser: phones cannot drag and drop
                page.get_by_role("button", name="Upload a scenario").click()
            chooser.value.set_files(files=[{"name": "mine.yaml", "mimeType": "text/yaml",
                                            "buffer": b"name: mine\nstart: soon\n"}])
            expect(page.locator(".upload-problem")).to_contain_text("mine.yaml: start: expected a date as YYYY-MM",
                                                                    timeout=30_000)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 400
            assert set_slider(page, "Last year (March)", "Home") == "2022"
            assert set_slider(page, "Replications", "Home", "ArrowRight") == "3"
            assert set_slider(page, "Fewer leavers (%)", "End") == "50"
            time.sleep(0.5)
            run = page.get_by_role("button", name="Run")
            run.scroll_into_view_if_needed()
            run.click()
            numbers = page.locator(".workforce-numbers")
            expect(numbers).to_contain_text("FTE in post in March 2022", timeout=120_000)
            expect(numbers).to_contain_text("50% fewer leavers (every group)")
            assert table(page)["total"]["difference"] > 0
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 400  # wide tables scroll in place
            widths = page.evaluate("""() => Array.from(document.querySelectorAll('img'))
                .filter(img => img.offsetParent !== null).map(img => img.getBoundingClientRect().right)""")
            assert widths and max(widths) <= 400
            numbers.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / "dashboard-phone.png"))
        finally:
            browser.close()


@pytest.mark.parametrize("percent", [0, 16, 30, 60, 100])
def test_the_ltft_slider_keeps_the_scenarios_split_between_the_sexes(percent):
    from sim.app import Inputs, _ltft_of, compiled, ltft_by_sex

    s = compiled(Inputs())
    (female0, male0), women = _ltft_of(s)
    share = ltft_by_sex(s, percent)
    female, male = share["female"], share["male"]
    assert female * women + male * (1 - women) == pytest.approx(percent / 100, abs=1e-5)  # the share asked for
    assert 0 <= male <= female <= 1
    if female < 1:  # below women's cap, the scenario's ratio of the sexes' shares
        assert female * male0 == pytest.approx(male * female0, abs=1e-6)
