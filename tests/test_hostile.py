"""Property tests (hypothesis) with hostile strings in every free-text field and every argument: the command line
(in-process) and the Import data page's check. Never a traceback (argparse's own errors exit 2), never a live
formula in an export, never imported markup rendered."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from resettlement import exports, importer
from resettlement.__main__ import main
from resettlement.i18n import t
from resettlement.standard import TABLES
from tests.test_report import download

pytestmark = pytest.mark.usefixtures("own_snapshots")  # their databases' snapshots apart

MARK = "ZQ"  # in every hostile string, so the elements showing one can be found
_HOSTILE = st.sampled_from(
    [
        '=HYPERLINK("http://example.invalid/x","y")',
        "=1+1",
        "+44 29 2000",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "![x](http://example.invalid/x.png)",
        "<b>bold</b>",
        "<img src=x onerror=alert(1)>",
        "[link](http://example.invalid)",
        ":red[red] :material/warning:",
        "$x^2$",
        "www.example.invalid",
        "a@b.invalid",
        "# heading",
        "- item",
        "> quote",
        "`code`",
        "**bold** _it_",
        "'; DROP TABLE cases;--",
        "{lang}",
        "%s %d",
        "../../x",
        "Ynys Môn ŵŷ",
        "\u202ertl",
        "💥",
        "x" * 120,
        "",
        " ",
    ]
)
HOSTILE = st.builds(lambda a, b, c: f"{a}{MARK}{b}{c}", _HOSTILE, st.text(max_size=6), _HOSTILE)
MARKUP = ("![", "](", "<b>", "<img", "<script", "://", ":red[", ":material/", "$x", "`code`", "**bold**")


def live_formulas(text: str) -> list[str]:
    """Cells of a CSV that a spreadsheet would run as a formula."""
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    return [c for c in cells if c[:1] in exports.FORMULA_START and not exports._is_number(c)]


def rendered_markup(texts: list[str]) -> list[str]:
    """Texts holding a hostile string whose markup is live: a marker not escaped by a backslash."""
    live = re.compile("|".join(r"(?<!\\)" + re.escape(m) for m in MARKUP))
    return [s for s in texts if MARK in s and live.search(s)]


def _csv(table: str, rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(TABLES[table].columns)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


@st.composite
def hostile_file(draw) -> importer.Source:
    """A CSV of one table, every cell hostile or a plausible value, under a hostile name."""
    table = draw(st.sampled_from(["cases", "needs", "rrps", "rrp_meetings"]))
    width = len(TABLES[table].columns)
    cell = st.one_of(HOSTILE, st.sampled_from(["c1", "Cardiff", "custody", "2024-01-05", "yes", "accommodation"]))
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=3))
    name = draw(HOSTILE).replace("/", "_").replace("\x00", "") + f"_{table}.csv"
    return importer.Source(name, _csv(table, rows))


# ---- the command line -------------------------------------------------------------------------------------------

_COMMANDS = {
    "gaps": ["--by", "--pathway", "--from", "--to", "--cohort", "--lang"],
    "completeness": ["--by", "--from", "--to", "--area", "--cohort"],
    "evaluate": ["--area", "--from", "--to", "--cohort", "--lang"],
    "report": ["--area", "--from", "--to", "--cohort", "--lang", "--out"],
    "templates": ["--out", "--lang"],
    "info": [],
    "import": ["--note", "--lang", "--rejects"],
}


@pytest.fixture(scope="module")
def real_url(tmp_path_factory) -> str:
    """A small real database (one case, one RRP) for the reporting commands and the page."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'real.db'}"
    files = [
        importer.Source("cases.csv", b"case_id,child_id,la_code,cohort,start_date\nc1,p1,Cardiff,custody,2026-01-05\n"),
        importer.Source("rrps.csv", b"rrp_id,name,la_codes\nr1,Cardiff RRP,Cardiff\n"),
    ]
    assert importer.run_import(files, url).written
    return url


# Shrinking is off: a failing example is printed as found (shrinking CLI runs took minutes).
FAST = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture],
    "phases": [Phase.explicit, Phase.reuse, Phase.generate],
}


@settings(max_examples=40, **FAST)
@given(
    command=st.sampled_from(sorted(_COMMANDS)),
    values=st.lists(st.one_of(HOSTILE, st.sampled_from(["a\x00b", "x\udc80y"])), min_size=8, max_size=8),
    options=st.lists(st.integers(0, 5), max_size=4),
    accept_valid=st.booleans(),
    file=hostile_file(),
    db=st.sampled_from(["real", "hostile", "relative"]),
)
def test_cli_never_raises_and_writes_no_live_formula(
    real_url, tmp_path_factory, capsys, command, values, options, accept_valid, file, db
):
    work = tmp_path_factory.mktemp("cli")
    argv = [command]
    for i in options:
        flags = _COMMANDS[command]
        if not flags:
            break
        flag = flags[i % len(flags)]
        value = values[i]
        if flag in ("--out", "--rejects"):  # inside the work folder, whatever the name
            value = str(work / (value.replace("/", "_") or "x"))
        argv += [flag, value]
    if command == "templates" and "--out" not in argv:
        argv += ["--out", str(work / "t")]
    if command == "report" and "--out" not in argv:
        argv += ["--out", str(work / "deck.pptx")]
    url = {
        "real": real_url,
        "hostile": values[7],  # a relative SQLite path: inside the work folder
        "relative": "sqlite:///" + (values[7].replace("/", "_") or "x"),
    }[db]
    if command == "import":
        (work / "in").mkdir()
        (work / "in" / "data.csv").write_bytes(file.data)
        url = f"sqlite:///{work / 'new.db'}" if db == "real" else url
        argv += [str(work / "in" / "data.csv"), "--db", url, "--rejects", str(work / "rejects")] + (
            ["--accept-valid"] if accept_valid else []
        )
    elif command not in ("templates",):
        argv += ["--db", url]
    cwd = os.getcwd()
    os.chdir(work)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help 0
        code = exc.code
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (argv, err)
    assert "Traceback" not in err
    for path in work.rglob("*.csv"):  # what the command wrote (not its input)
        assert path.parent.name == "in" or not live_formulas(path.read_text("utf-8-sig")), path
    assert not [p for p in Path(cwd).glob("rejects-*")]


# ---- the Import data page -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(real_url):
    """The Import data page for an all-Wales, case-level viewer (problem values shown), with downloads readable."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.media_file_manager import MediaFileManager

    from tests.apptest import new_app, open_page, signed_in

    managers: list = []

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    patch = pytest.MonkeyPatch()
    patch.setattr(app_test, "MediaFileManager", Recording)
    for env, value in (
        ("RESETTLEMENT_DB_URL", real_url),
        ("RESETTLEMENT_SCOPE", "all"),
        ("RESETTLEMENT_CASE_LEVEL", "1"),
    ):
        patch.setenv(env, value)
    at = open_page(signed_in(new_app(60), real_url), "import", "en")
    yield at, managers
    patch.undo()


def _texts(at) -> list[str]:
    kinds = ("markdown", "caption", "header", "subheader", "title", "info", "warning", "error", "success")
    return [str(e.value) for kind in kinds for e in at.get(kind)]


@settings(max_examples=12, **FAST)
@given(files=st.lists(hostile_file(), min_size=1, max_size=2), lang=st.sampled_from(["en", "cy"]))
def test_import_page_check_renders_no_markup_and_exports_no_formula(page, files, lang):
    at, managers = page
    at.segmented_control(key="lang").set_value(lang)
    at.file_uploader(key="import_files").set_value([(f.name, f.data, "text/csv") for f in files])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not rendered_markup(_texts(at))
    label = t("importer.page.download_problems", lang)
    if any(b.label == label for b in at.get("download_button")):
        assert not live_formulas(download(at, managers, label).decode("utf-8-sig"))
