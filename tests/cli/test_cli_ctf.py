"""Common Transfer Files through the real command line: pupils with histories across authorities
become enrolments (schools of other authorities added to the register with their LA), Former
UPNs join records, names in capitals are normalised, a lost pupil CTF records an unknown
destination, an older CTF's Gender is read, a CTF is one transaction (undo, re-import adds
nothing), and hostile XML is refused with a sentence."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from exclusion_monitor.upn import check_letter
from tests.support.ctf import CtfFile, CtfPupil, CtfSchool, write_ctf
from ui.cli.main import main

D = dt.date
KENT, HERE = "886", "330"


def _upn(la: str, serial: int) -> str:
    body = f"{la}400119{serial:03d}"
    return check_letter(body) + body


JO, SAM, ALI = _upn(KENT, 1), _upn(KENT, 2), _upn(HERE, 3)
OAK = CtfSchool(KENT, "2001", "Oak Primary (Kent)", D(2019, 9, 4), D(2023, 7, 21), last=True)


def _transfer(path: Path, *, gender: bool = False) -> Path:
    """Kent's Oak Primary sends Jo and Sam to our Larkwood Academy (3304002)."""
    ctf = CtfFile((KENT, "2001", "Oak Primary (Kent)"), (HERE, "4002"), gender_tag=gender)
    ctf.pupils.append(
        CtfPupil(
            JO,
            "WALKER",
            "JO-ANNE",
            D(2012, 5, 1),
            "F",
            (
                CtfSchool(KENT, "2003", "Elm Infants", D(2016, 9, 5), D(2019, 7, 19), "Moved"),
                OAK,
            ),
            former_upn=_upn(KENT, 901),
        )
    )
    ctf.pupils.append(CtfPupil(SAM, "IDRIS", "SAM", D(2012, 2, 1), "M", (OAK,)))
    return write_ctf(path, ctf)


def _cli(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", db, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _child(capsys: pytest.CaptureFixture[str], db: str, upn: str) -> dict[str, Any]:
    code, out, err = _cli(capsys, db, "child", upn, "--format", "json")
    assert code == 0, err
    return dict(json.loads(out))


def test_a_transfer_ctf_brings_each_pupils_schools_in_other_authorities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    ctf = _transfer(tmp_path / "from kent.xml")
    code, out, _ = _cli(capsys, db, "import", str(ctf), "--format", "json")
    (result,) = json.loads(out)
    assert code == 0 and result["kind"] == "enrolments" and result["rows_imported"] == 3
    # The other authority's schools, added to the register, are one warning, not one each.
    assert (
        "2 schools were not in the school register and were added: 8862003 (row 2), "
        "8862001 (row 3); import the GIAS extract to complete their details"
    ) in result["warnings"]
    jo = _child(capsys, db, JO)
    assert (jo["surname"], jo["forename"]) == ("Walker", "Jo-Anne")  # capitals normalised
    assert jo["former_upns"] == [_upn(KENT, 901)]
    schools = [
        (e["school_laestab"], e["school_name"], e["start"], e["end"]) for e in jo["enrolments"]
    ]
    assert schools == [
        ("8862003", "Elm Infants", "2016-09-05", "2019-07-19"),
        ("8862001", "Oak Primary (Kent)", "2019-09-04", "2023-07-21"),
    ]
    code, out, _ = _cli(capsys, db, "children", "--format", "json")
    assert {c["upn"] for c in json.loads(out)} == {JO, SAM}
    # The schools of another authority are in the register with their LA.
    import sqlalchemy as sa

    from exclusion_monitor.store import open_database
    from exclusion_monitor.store import schema as t

    with open_database(db) as database, database.read() as conn:
        las = dict(conn.execute(sa.select(t.schools.c.laestab, t.schools.c.la_code)).all())
    assert las["8862001"] == KENT and las["8862003"] == KENT
    # One transaction like any file: again adds nothing, undo removes all it brought.
    code, out, _ = _cli(capsys, db, "import", str(ctf))
    assert code == 0 and "already imported (batch 1); nothing added" in out
    code, out, err = _cli(capsys, db, "undo", "1")
    assert code == 0, err
    code, out, _ = _cli(capsys, db, "children", "--format", "json")
    assert json.loads(out) == []


def test_a_later_ctf_with_a_former_upn_joins_the_child_already_known(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    old = _upn(KENT, 901)
    first = CtfFile((KENT, "2003", "Elm Infants"), (KENT, "2001"))
    first.pupils.append(CtfPupil(old, "WALKER", "JO-ANNE", D(2012, 5, 1), "F", (
        CtfSchool(KENT, "2003", "Elm Infants", D(2016, 9, 5), D(2019, 7, 19), last=True),
    )))  # fmt: skip
    assert _cli(capsys, db, "import", str(write_ctf(tmp_path / "elm.xml", first)))[0] == 0
    assert _cli(capsys, db, "import", str(_transfer(tmp_path / "oak.xml")))[0] == 0
    _, out, _ = _cli(capsys, db, "children", "--format", "json")
    # One Jo, not two: a child with two permanent UPNs keeps the first as current
    # (docs/formats.md, identity), the other is a former UPN that finds her too.
    assert sorted(c["upn"] for c in json.loads(out)) == sorted([old, SAM])
    jo = _child(capsys, db, JO)
    assert jo["upn"] == old and jo["former_upns"] == [JO]
    assert [e["school_laestab"] for e in jo["enrolments"]] == ["8862003", "8862001"]


def test_a_lost_pupil_ctf_records_that_the_child_left_for_nobody_knows_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    lost = CtfFile((HERE, "4002", "Larkwood Academy"), ("XXX", "XXXX"), gender_tag=True)
    lost.pupils.append(CtfPupil(ALI, "KHAN", "ALI", D(2011, 3, 9), "M", (
        CtfSchool(KENT, "2001", "Oak Primary (Kent)", D(2016, 9, 5), D(2022, 7, 22)),
        CtfSchool(HERE, "4002", "Larkwood Academy", D(2022, 9, 7), None, last=True),
    )))  # fmt: skip
    code, out, err = _cli(capsys, db, "import", str(write_ctf(tmp_path / "lost.xml", lost)))
    assert code == 0, err
    assert "a lost pupil CTF" in out
    ali = _child(capsys, db, ALI)
    assert ali["sex"] == "M"  # read from the older <Gender>
    assert ali["status"]["status"] == "missing"
    assert ali["status"]["school_laestab"] == "3304002"
    assert ali["status"]["date"] == "2024-07-19"  # the day the CTF was sent
    assert "destination unknown" in ali["status"]["leaving_reason"]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CTfile><Header><CTFversion>&lol3;</CTFversion></Header></CTfile>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CTfile><CTFpupilData><Pupil><Surname>&secret;</Surname></Pupil></CTFpupilData></CTfile>"""
DEEP = "<CTfile>" + "<a>" * 100 + "</a>" * 100 + "</CTfile>"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (BILLION_LAUGHS, "declares a document type"),
        (EXTERNAL, "declares a document type"),
        (DEEP, "nested more than"),
        ("<CTfile><Header><CTFversion>24.0</CTFver", "not well-formed XML"),
        ('<?xml version="1.0"?><html><body>hello</body></html>', "not a Common Transfer File"),
        ("<CTfile><Header/><CTFpupilData/></CTfile>", "holds no pupils"),
        ("UPN,Surname\nA,B\n", "not well-formed XML"),
    ],
)
def test_hostile_or_broken_xml_is_refused_with_a_sentence_and_nothing_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words: str
) -> None:
    db = str(tmp_path / "t.db")
    path = tmp_path / "sent.xml"
    path.write_text(text, encoding="utf-8")
    code, out, err = _cli(capsys, db, "import", str(path))
    assert code == 2
    assert words in err and "root:" not in err
    code, out, _ = _cli(capsys, db, "children", "--format", "json")
    assert json.loads(out) == []


def test_a_ctf_is_only_ever_read_as_enrolments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    code, _, err = _cli(
        capsys, db, "import", str(_transfer(tmp_path / "k.xml")), "--kind", "census"
    )
    assert code == 2 and "read as enrolments" in err


def test_every_former_upn_of_a_ctf_joins_the_child(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A child renumbered twice: both earlier UPNs are held (as two children, from two
    schools' files); the CTF listing both as Former UPNs makes them one child."""
    db = str(tmp_path / "t.db")
    first, second = _upn(KENT, 901), _upn(KENT, 902)
    elm = CtfSchool(KENT, "2003", "Elm Infants", D(2016, 9, 5), D(2019, 7, 19), last=True)
    for name, upn, school in ((("elm.xml"), first, elm), ("oak.xml", second, OAK)):
        early = CtfFile((KENT, school.estab, school.name), (HERE, "4002"))
        early.pupils.append(CtfPupil(upn, "WALKER", "JO-ANNE", D(2012, 5, 1), "F", (school,)))
        assert _cli(capsys, db, "import", str(write_ctf(tmp_path / name, early)))[0] == 0
    _, out, _ = _cli(capsys, db, "children", "--format", "json")
    assert len(json.loads(out)) == 2
    ctf = CtfFile((KENT, "2001", "Oak Primary (Kent)"), (HERE, "4002"))
    ctf.pupils.append(
        CtfPupil(JO, "WALKER", "JO-ANNE", D(2012, 5, 1), "F",
                 (replace(elm, last=False), OAK), former_upn=first, more_former_upns=(second,))
    )  # fmt: skip
    code, out, err = _cli(capsys, db, "import", str(write_ctf(tmp_path / "all.xml", ctf)))
    assert code == 0, err
    _, out, _ = _cli(capsys, db, "children", "--format", "json")
    (jo,) = json.loads(out)
    child = _child(capsys, db, jo["upn"])
    assert {child["upn"], *child["former_upns"]} == {first, second, JO}
    assert [e["school_laestab"] for e in child["enrolments"]] == ["8862003", "8862001"]


def test_a_right_to_left_override_in_a_ctf_name_is_removed_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    ctf = CtfFile((KENT, "2001", "Oak Primary (Kent)"), (HERE, "4002"))
    ctf.pupils.append(CtfPupil(SAM, "ID\u202eRIS", "SAM", D(2012, 2, 1), "M", (OAK,)))
    code, out, err = _cli(capsys, db, "import", str(write_ctf(tmp_path / "rlo.xml", ctf)))
    assert code == 0, err
    assert "right-to-left overrides were removed" in out and "(row 2)" in out
    assert _child(capsys, db, SAM)["surname"] == "Idris"


def test_an_xml_file_over_the_size_limit_is_refused_before_it_is_parsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import imports.ctf
    import imports.reading

    def never(path: Path) -> None:
        raise AssertionError("an over-size file reached the XML parser")

    monkeypatch.setattr(imports.reading, "MAX_FILE_BYTES", 4_000)
    monkeypatch.setattr(imports.ctf, "read_ctf", never)
    ctf = CtfFile((KENT, "2001", "Oak Primary (Kent)"), (HERE, "4002"))
    ctf.pupils.extend(
        CtfPupil(_upn(KENT, n), "IDRIS", f"SAM{n}", D(2012, 2, 1), "M", (OAK,)) for n in range(30)
    )
    path = write_ctf(tmp_path / "huge.xml", ctf)
    assert path.stat().st_size > 4_000
    code, _, err = _cli(capsys, db := str(tmp_path / "t.db"), "import", str(path))
    assert code == 2 and "over the limit" in err
    _, out, _ = _cli(capsys, db, "children", "--format", "json")
    assert json.loads(out) == []


def test_a_lost_pupil_ctf_that_cannot_record_the_leaving_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sending school missing from a lost pupil's history (or no history at all): the
    leaving cannot be recorded without an entry date, and the person is told which pupils."""
    db = str(tmp_path / "t.db")
    lost = CtfFile((HERE, "4002", "Larkwood Academy"), ("XXX", "XXXX"))
    lost.pupils.append(CtfPupil(ALI, "KHAN", "ALI", D(2011, 3, 9), "M", (
        CtfSchool(KENT, "2001", "Oak Primary (Kent)", D(2016, 9, 5), D(2022, 7, 22)),
    )))  # fmt: skip
    lost.pupils.append(CtfPupil(SAM, "IDRIS", "SAM", D(2012, 2, 1), "M", (
        CtfSchool(HERE, "4002", "Larkwood Academy", D(2022, 9, 7), None, last=True),
    )))  # fmt: skip
    lost.pupils.append(CtfPupil(JO, "WALKER", "JO", D(2012, 5, 1), "F", ()))
    code, out, err = _cli(capsys, db, "import", str(write_ctf(tmp_path / "lost.xml", lost)))
    assert code == 0, err
    assert f"the pupil(s) {ALI}, {JO} of this lost pupil CTF" in out and "NOT recorded" in out
    assert _child(capsys, db, SAM)["status"]["status"] == "missing"  # the one it could record
