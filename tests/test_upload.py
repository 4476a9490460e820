"""Uploads are read from memory: the file name a browser sends is shown, never used as a path, and
an upload is checked against the data in use exactly as ``validate`` checks a folder."""

from pathlib import Path

import pytest

from simulator.errors import InputError
from simulator.loaders import load_data, load_upload, upload_name
from simulator.regions import DATA_DIR

TARGETS = b"region_code,year,coverage\n61,2025,0.01\n"


@pytest.mark.parametrize(
    "name, shown",
    [
        ("targets.csv", "targets.csv"),
        ("../../data/targets.csv", "targets.csv"),
        ("/etc/cron.d/targets.csv", "targets.csv"),
        ("..\\..\\data\\targets.csv", "targets.csv"),
        ("a\nb.csv", "a?b.csv"),
        ("", "upload"),
        ("/", "upload"),
        ("x" * 300 + ".csv", "x" * 100),
    ],
)
def test_upload_name_is_a_bare_printable_name(name, shown):
    assert upload_name(name) == shown


@pytest.mark.parametrize("prefix", ["", "../../", "/"])
def test_upload_under_a_hostile_name_touches_no_file(tmp_path, prefix):
    victim = tmp_path / "targets.csv"
    victim.write_bytes(b"keep me\n")
    name = f"{prefix}{victim}" if prefix == "/" else f"{prefix}{victim.name}"
    before = sorted(p.name for p in tmp_path.iterdir())
    frame = load_upload(TARGETS, name, "targets")
    assert frame["coverage"].tolist() == [0.01]
    assert victim.read_bytes() == b"keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "data, name, kind, message",
    [
        (TARGETS, "../../evil.sh", "targets", "evil.sh: unsupported file type '.sh': expected .csv or .xlsx"),
        (
            b"region_code,year,coverage\n61,2025,abc\n",
            "/srv/t.csv",
            "targets",
            "t.csv: row 2, column coverage",
        ),
        (TARGETS, "t.csv", "nope", "t.csv: unknown file kind 'nope'"),
    ],
)
def test_bad_upload_names_the_shown_file(data, name, kind, message):
    with pytest.raises(InputError) as err:
        load_upload(data, name, kind)
    assert str(err.value).startswith(message)
    assert "/" not in str(err.value).split(":")[0]


def test_upload_is_checked_against_the_data_in_use():
    """A workforce upload with fewer employed than the bundled history's active is refused, as
    ``validate`` refuses the same folder."""
    panel = load_data(DATA_DIR)
    wf = panel.workforce.copy()
    row = wf.index[wf["region_code"].eq("61.01") & wf["period"].eq("2024-08-01")][0]
    wf.loc[row, "employed"] = 10
    text = wf[["region_code", "period", "employed"]].to_csv(index=False).encode()
    with pytest.raises(InputError) as err:
        load_upload(text, "workforce.csv", "workforce", base=panel)
    assert "region 61.01" in str(err.value) and "expected at most 5 times the employed" in str(err.value)
    # alone (no data in use) the same file is a valid workforce table
    assert len(load_upload(text, "workforce.csv", "workforce")) == len(wf)


def test_app_never_builds_a_path_from_an_upload_name():
    pages = Path(__file__).resolve().parent.parent / "app_pages"
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(pages.glob("*.py")))
    for forbidden in ("/ upload.name", "Path(upload.name", "tempfile", "write_bytes(", "open(upload"):
        assert forbidden not in source, forbidden
