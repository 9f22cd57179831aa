"""The agency registry as a service: files checked row by row, imports all or nothing, a search that
forgives how people type names (tables per language), statuses on a given day, and red-flag scoring."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.services import sheets
from bot.services.agency import (
    COLUMNS,
    SAMPLES_DIR,
    AgencyService,
    RegistryError,
    fold,
    load_file,
    parse_caption,
    parse_registry,
    registry_template,
)
from bot.services.redflags import FLAG_IDS, Verdict, assess
from bot.storage.agencies import AgencyRepository
from bot.storage.db import Database

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
HEADER = "name,aliases,permit,authority,valid_from,valid_to,status,destinations,phone,address,website,note\n"


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[AgencyService]:
    db = Database(tmp_path / "a.sqlite3")
    await db.connect()
    agencies = AgencyService(db, AgencyRepository(db), clock=lambda: NOW)
    await agencies.load_samples(SAMPLES_DIR)
    yield agencies
    await db.close()


def csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def problems(data: bytes, name: str = "kg.csv", **meta: str) -> list[tuple[int | None, str | None, str]]:
    meta = {"country": "KG", "source": "https://example.org/list", "source_date": "2026-11-20", **meta}
    with pytest.raises(RegistryError) as caught:
        parse_registry(data, name, today=date(2026, 11, 23), **meta)
    return [(p.line, p.field, p.reason) for p in caught.value.problems]


# ---------------------------------------------------------------------- files
def test_a_good_csv_is_read_with_both_date_formats_lists_and_russian_status_words() -> None:
    registry = parse_registry(
        csv('"ОсОО «Ала-Тоо Жумуш»","Ala-Too Jumush; Ala-Too Job",ЖК-0142,,2026-02-01,31.01.2027,действует,"TR, ae; KR",,,,',
            "Nur Ishkana,,ЖК-0093,,,,приостановлен,TR,,,,"),
        "kg.csv", country="kg", source="https://example.org/list", source_date="20.11.2026",
    )
    assert registry.country == "KG" and registry.source_date == date(2026, 11, 20) and not registry.sample
    first, second = registry.rows
    assert first["aliases"] == ["Ala-Too Jumush", "Ala-Too Job"]
    assert first["destinations"] == ["TR", "AE", "KR"]
    assert first["valid_to"] == date(2027, 1, 31) and first["status"] == "active"
    assert second["status"] == "suspended" and second["valid_to"] is None


def test_semicolon_csv_in_windows_1251_as_excel_saves_it() -> None:
    text = HEADER.replace(",", ";") + "ОсОО «Эмгек»;;ЖК-1;;;;active;RU;;;;\n"
    registry = parse_registry(text.encode("cp1251"), "list.csv", country="KG", source="ref", source_date="2026-11-01")
    assert registry.rows[0]["name"] == "ОсОО «Эмгек»"


def _workbook(*rows: list[object]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_excel_workbook_with_russian_column_names_keeps_every_letter() -> None:
    """An .xlsx as admins keep it: Russian column names in any case, ң ө ү kept (no encoding to lose them),
    a permit typed as a number, a date cell, a blank row."""
    data = _workbook(
        ["Наименование ", "Номер лицензии", "СТАТУС", "Действует до", "Страны трудоустройства", "Телефон"],
        ["ОсОО «Жаңы Жол» Өмүр", 12345, "Действует", datetime(2027, 1, 31), "RU; KR", "+996 312 000 000"],
        [None, None, None, None, None, None],
        ["Second", 12346.0, "приостановлена", "01.02.2027", "TR", None],
    )
    registry = parse_registry(data, "kg.xlsx", country="KG", source="ref", source_date="2026-11-01")
    first, second = registry.rows
    assert first["name"] == "ОсОО «Жаңы Жол» Өмүр" and first["permit"] == "12345" and first["valid_to"] == date(2027, 1, 31)
    assert first["destinations"] == ["RU", "KR"] and first["phone"] == "+996 312 000 000"
    assert second["permit"] == "12346" and second["status"] == "suspended" and second["valid_to"] == date(2027, 2, 1)


def test_english_column_names_are_read_and_unknown_ones_named() -> None:
    good = "Name,Other names,License number,Status,Valid until,Countries\nAlpha,A1,P-1,active,2027-01-01,TR\n"
    assert parse_registry(good.encode(), "kz.csv", country="KZ", source="ref", source_date="2026-11-01").rows[0]["permit"] == "P-1"
    assert problems(b"Name,Colour,Status\nAlpha,red,active\n") == [(1, "Colour", "unknown_column")]
    assert problems(b"Agency;Permit\nAlpha;P-1\n") == [(1, "status", "missing_column")]


def test_a_name_that_lost_its_letters_is_refused_with_the_fix() -> None:
    """Excel's "CSV" in Windows-1251 has no ң, ө, ү: «Жаңы Жол» arrives as «Жа?ы Жол». Refused, never shown so."""
    text = HEADER.replace(",", ";") + "ОсОО «Жа?ы Жол»;Жа?ы;ЖК-1;;;;active;RU;;;;\nWhat? Agency;;ЖК-2;;;;active;RU;;;;\n"
    with pytest.raises(RegistryError) as refused:
        parse_registry(text.encode("cp1251"), "list.csv", country="KG", source="ref", source_date="2026-11-01")
    assert [(p.line, p.field, p.reason) for p in refused.value.problems] == [(2, "name", "lossy"), (2, "aliases", "lossy"), (3, "name", "lossy")]
    assert "CSV UTF-8" in str(refused.value.problems[0])


def test_the_template_is_read_back_in_both_languages_and_a_broken_workbook_refused() -> None:
    for english in (False, True):
        data = registry_template(english=english)
        names = next(sheets.read_rows(data))[1]
        assert len(names) == len(COLUMNS) and ("Name" if english else "Название") == names[0]
        filled = _workbook(names, ["Alpha", "", "P-1", "", "", "", "active", "TR", "", "", "", ""])
        assert parse_registry(filled, "t.xlsx", country="KG", source="ref", source_date="2026-11-01").rows[0]["name"] == "Alpha"
        with pytest.raises(RegistryError) as empty:  # the template as it is: no agencies, nothing erased
            parse_registry(data, "t.xlsx", country="KG", source="ref", source_date="2026-11-01")
        assert [p.reason for p in empty.value.problems] == ["no_rows"]
    for broken in (b"PK\x03\x04 not a zip", b"not even close", b""):
        with pytest.raises(RegistryError) as refused:
            parse_registry(broken, "t.xlsx", country="KG", source="ref", source_date="2026-11-01")
        assert [p.reason for p in refused.value.problems] == ["bad_sheet"]


def test_every_bad_row_is_reported_with_its_line_and_reason() -> None:
    found = problems(csv(
        "Good One,,A-1,,2026-01-01,2027-01-01,active,TR,,,,",  # line 2
        ",,A-2,,,,active,TR,,,,",  # 3: no name
        "Bad Date,,A-3,,2026-01-01,31.02.2027,active,TR,,,,",  # 4
        "Bad Status,,A-4,,,,closed,TR,,,,",  # 5
        "Bad Country,,A-5,,,,active,Turkey,,,,",  # 6
        "Backwards,,A-6,,2027-01-01,2026-01-01,active,TR,,,,",  # 7
        "Twin,,A-1,,,,active,TR,,,,",  # 8: the permit of line 2
        "No Status,,A-8,,,,,TR,,,,",  # 9
    ))
    assert found == [
        (3, "name", "required"),
        (4, "valid_to", "bad_date"),
        (5, "status", "bad_status"),
        (6, "destinations", "bad_country"),
        (7, "valid_to", "date_order"),
        (8, "permit", "duplicate_permit"),
        (9, "status", "required"),
    ]


@pytest.mark.parametrize(("data", "name", "meta", "reason"), [
    (csv("A,,1,,,,active,,,,,"), "kg.xls", {}, "bad_extension"),  # Excel 97-2003: save as .xlsx
    (csv("A,,1,,,,active,,,,,"), "kg.xlsx", {}, "bad_sheet"),  # a CSV renamed .xlsx
    (HEADER.encode(), "kg.csv", {}, "no_rows"),
    (b"name,status,valid_untill\nA,active,2027-01-01\n", "kg.csv", {}, "unknown_column"),
    (b"name,valid_to\nA,2027-01-01\n", "kg.csv", {}, "missing_column"),
    (csv("A,,1,,,,active,,,,,"), "kg.csv", {"source": ""}, "source"),
    (csv("A,,1,,,,active,,,,,"), "kg.csv", {"source_date": "yesterday"}, "source_date"),
    (csv("A,,1,,,,active,,,,,"), "kg.csv", {"source_date": "2027-01-01"}, "future_date"),
    (csv("A,,1,,,,active,,,,,"), "kg.csv", {"country": "RU"}, "country"),
    (b"country: TJ\nsource: x\nsource_date: 2026-11-01\nagencies: []\n", "tj.yaml", {}, "no_rows"),
    (b"country: TJ\nsource: x\nsource_date: 2026-11-01\nagencies:\n  - {name: A, status: active}\n", "tj.yaml", {}, "country_mismatch"),
    (b"agencies: [\n", "kg.yaml", {}, "bad_yaml"),
    (b"just: a mapping\n", "kg.yaml", {}, "bad_format"),
    (b"\xff\xfe\x00\x81" * 10, "kg.csv", {}, "not_text"),
])
def test_a_bad_file_is_refused_with_the_reason(data: bytes, name: str, meta: dict[str, str], reason: str) -> None:
    assert reason in [r for _line, _field, r in problems(data, name, **meta)]


def test_the_sample_registries_are_valid_and_marked_as_samples() -> None:
    for path in sorted(SAMPLES_DIR.glob("*.yaml")):
        registry = load_file(path)
        assert registry.sample, path
        assert "SAMPLE" in registry.source


def test_caption_of_an_uploaded_file() -> None:
    assert parse_caption("KG https://mlsp.example/list 20.11.2026") == {
        "country": "KG", "source": "https://mlsp.example/list", "source_date": "20.11.2026"}
    assert parse_caption("2026-11-20 uz") == {"country": "UZ", "source_date": "2026-11-20"}
    assert parse_caption(None) == {}


# ---------------------------------------------------------------------- imports
async def test_an_import_replaces_only_that_countrys_snapshot(service: AgencyService) -> None:
    before = await service.snapshots()
    assert set(before) == {"KG", "TJ", "UZ", "KZ"}
    registry = parse_registry(csv("Yangi Agentlik,,U-1,,,,active,KR,,,,"), "uz.csv", country="UZ", source="ref", source_date="2026-11-20")
    imported = await service.import_registry(registry)
    assert (imported.country, imported.rows, imported.before) == ("UZ", 1, 6)
    after = await service.snapshots()
    assert after["UZ"].rows == 1 and not after["UZ"].sample and after["UZ"].source_date == date(2026, 11, 20)
    assert after["KG"] == before["KG"]
    assert (await service.search("Xorij Ish Servis")).found is False  # the old Uzbek list is gone
    assert (await service.search("Yangi agentlik")).sure is not None


async def test_a_failure_in_the_middle_of_an_import_changes_nothing(service: AgencyService, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = parse_registry(csv("Only One,,K-1,,,,active,KR,,,,"), "kg.csv", country="KG", source="ref", source_date="2026-11-20")

    async def broken(sql: str, rows: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(service.db, "executemany", broken)  # after the delete and the snapshot row
    with pytest.raises(OSError):
        await service.import_registry(registry)
    monkeypatch.undo()
    snapshots = await service.snapshots()
    assert snapshots["KG"].rows == 8 and snapshots["KG"].sample
    assert (await service.search("Ала-Тоо Жумуш")).sure is not None
    assert await service.repo.count("KG") == 8


# ---------------------------------------------------------------------- search: how people type names
# (typed, the agency found for sure, by language of the person typing)
SURE = [
    # Kyrgyz: Latin for Cyrillic, typos, the legal form, another spacing
    ("ky", "ala too jumush", "ОсОО «Ала-Тоо Жумуш»"),
    ("ky", "Alatoo jumysh", "ОсОО «Ала-Тоо Жумуш»"),
    ("ky", "ала-тоо жумуш жчк", "ОсОО «Ала-Тоо Жумуш»"),
    ("ky", "ОсОО \"Ала Тоо Жумуш\"", "ОсОО «Ала-Тоо Жумуш»"),
    ("ky", "ala-too jomush LLC", "ОсОО «Ала-Тоо Жумуш»"),
    ("ky", "Ак жол кадр", "ОсОО «Ак-Жол Кадр»"),
    ("ky", "emgek plyus", "ОсОО «Эмгек Плюс»"),
    # Russian: Cyrillic for Latin, another transliteration, a typo
    ("ru", "Тулпар тревел", "ОсОО «Тулпар Трэвел Ворк»"),
    ("ru", "байтерек консалтинг", "ОсОО «Байтерек Консалтинг»"),
    ("ru", "Bayterek konsalting", "ОсОО «Байтерек Консалтинг»"),
    ("ru", "глобал жумуш", "ОсОО «Глобал Жумуш Сервис»"),
    ("ru", "ТОО Алатау персонал", "ТОО «Алатау Персонал»"),
    ("ru", "Жибек жолы енбек", "ТОО «Жібек Жолы Еңбек»"),
    # Tajik: ҷ typed as ч or дж, ҳ as х, Latin
    ("tg", "Ҷаҳон Кор", "ҶДММ «Ҷаҳон Кор»"),
    ("tg", "Чахон кор", "ҶДММ «Ҷаҳон Кор»"),
    ("tg", "Джахон кор ООО", "ҶДММ «Ҷаҳон Кор»"),
    ("tg", "jahon kor", "ҶДММ «Ҷаҳон Кор»"),
    ("tg", "Somon Mekhnat", "ҶДММ «Сомон Меҳнат»"),
    ("tg", "ойкор хорич", "ҶДММ «Ойкор Хориҷ»"),
    ("tg", "Rohi nek", "ҶДММ «Роҳи Нек»"),
    # Uzbek: Latin with or without ʻ, Cyrillic, Russian spelling of the vowels, MChJ / XK
    ("uz", "Xorij ish servis", "«Xorij Ish Servis» MChJ"),
    ("uz", "Хориж Иш Сервис МЧЖ", "«Xorij Ish Servis» MChJ"),
    ("uz", "Horij Ish Service", "«Xorij Ish Servis» MChJ"),
    ("uz", "oltin yo'l bandlik", "«Oltin Yoʻl Bandlik» MChJ"),
    ("uz", "Олтин йул бандлик", "«Oltin Yoʻl Bandlik» MChJ"),
    ("uz", "Фергана мехнат", "«Fargʻona Mehnat» XK"),
    ("uz", "Fargona Mehnat XK", "«Fargʻona Mehnat» XK"),
    ("uz", "Навруз кадрлар", "«Navroʻz Kadrlar» MChJ"),
    ("uz", "Samarkand ishchi kuchi", "«Samarqand Ishchi Kuchi» MChJ"),
    # permit numbers, in any spelling
    ("ky", "0142", "ОсОО «Ала-Тоо Жумуш»"),
    ("ky", "жк 0142", "ОсОО «Ала-Тоо Жумуш»"),
    ("ky", "№ ЖК-0142", "ОсОО «Ала-Тоо Жумуш»"),
    ("uz", "L-00412", "«Xorij Ish Servis» MChJ"),
    ("uz", "l00412", "«Xorij Ish Servis» MChJ"),
]


@pytest.mark.parametrize(("lang", "typed", "name"), SURE)
async def test_a_name_typed_any_way_finds_the_agency(service: AgencyService, lang: str, typed: str, name: str) -> None:
    found = await service.search(typed)
    assert found.sure is not None, (typed, [(m.agency.name, m.score) for m in found.choices])
    assert found.sure.agency.name == name


# (typed, the names offered as buttons)
CHOICES = [
    ("Ала-Тоо", {"ОсОО «Ала-Тоо Жумуш»", "ОсОО «Ала-Тоо Тревел»"}),
    ("ala too", {"ОсОО «Ала-Тоо Жумуш»", "ОсОО «Ала-Тоо Тревел»"}),
    ("akjol", {"ОсОО «Ак-Жол Кадр»"}),
    ("Samarkand", {"«Samarqand Ishchi Kuchi» MChJ"}),
    ("Нур", {"ОсОО «Нур Ишкана»"}),
]


@pytest.mark.parametrize(("typed", "names"), CHOICES)
async def test_part_of_a_name_or_a_shared_word_offers_choices_never_one_for_sure(service: AgencyService, typed: str, names: set[str]) -> None:
    found = await service.search(typed)
    assert found.sure is None
    assert {m.agency.name for m in found.choices} == names


@pytest.mark.parametrize("typed", ["Сапар Жумуш", "Tashkent Global Recruit", "Bishkek Star", "Дала Жумуш Сервис ХХХ"])
async def test_unlike_names_are_not_found(service: AgencyService, typed: str) -> None:
    found = await service.search(typed)
    assert found.sure is None and not found.choices, [(m.agency.name, m.score) for m in found.choices]


@pytest.mark.parametrize("typed", ["агентство", "Job agency", "xalqaro ish", "ООО"])
async def test_only_generic_words_ask_for_the_agencys_own_name(service: AgencyService, typed: str) -> None:
    found = await service.search(typed)
    assert found.too_vague or not found.found


def test_folding_meets_the_scripts() -> None:
    assert fold("ОсОО «Ала-Тоо Жумуш»") == "oso ala to jumush"
    assert fold("Ҷаҳон") == fold("Чахон") == fold("Джахон") == fold("Jahon") == "jahon"
    assert fold("Oʻzbek") == fold("O'zbek") == fold("Ўзбек") == "ozbek"
    assert fold("Xorij") == fold("Хориж") == fold("Khorij") == "horij"
    assert fold("Қазақ") == fold("Kazak") == fold("Qazaq")


# ---------------------------------------------------------------------- status on a given day
async def test_status_on_the_day(service: AgencyService) -> None:
    async def status(typed: str) -> str:
        found = await service.search(typed)
        assert found.sure is not None, typed
        return service.standing(found.sure.agency).status

    assert await status("Ала-Тоо Жумуш") == "active"
    assert await status("Ак-Жол Кадр") == "expired"  # "active" in the list, but its permit ended on 30 June 2026
    assert await status("Нур Ишкана") == "suspended"
    assert await status("Тулпар Трэвел Ворк") == "revoked"
    assert await status("Глобал Жумуш Сервис") == "expired"
    found = await service.search("Ала-Тоо Жумуш")
    assert found.sure is not None
    assert service.standing(found.sure.agency).stale is False  # a list of 1 November, seen on 23 November
    service.clock = lambda: datetime(2027, 3, 1, tzinfo=UTC)
    assert service.standing(found.sure.agency).stale is True
    assert service.standing(found.sure.agency).status == "expired"  # valid until 31 January 2027


# ---------------------------------------------------------------------- red flags
@pytest.mark.parametrize(("answers", "verdict"), [
    ({}, Verdict.CLEAR),
    (dict.fromkeys(FLAG_IDS, "n"), Verdict.CLEAR),
    ({"salary": "y"}, Verdict.CAUTION),
    ({"salary": "y", "rush": "y"}, Verdict.CAUTION),
    ({"contract": "y", "no_permit": "y"}, Verdict.DANGER),  # 2 + 2
    ({"contract": "y", "salary": "y", "rush": "y"}, Verdict.DANGER),  # 2 + 1 + 1
    ({"passport": "y"}, Verdict.DANGER),
    ({"prepay": "y"}, Verdict.DANGER),
    ({"tourist_visa": "y"}, Verdict.DANGER),
    ({"job_changed": "y"}, Verdict.DANGER),
    ({"passport": "u"}, Verdict.CAUTION),  # not sure about a grave one: find out first
    ({"salary": "u", "rush": "u"}, Verdict.CAUTION),
    ({"salary": "u"}, Verdict.CLEAR),
    ({"nonsense": "y", "passport": "maybe"}, Verdict.CLEAR),
])
def test_red_flag_verdicts(answers: dict[str, str], verdict: Verdict) -> None:
    assert assess(answers).verdict is verdict


def test_red_flags_keep_question_order_and_unsure_apart() -> None:
    result = assess({"job_changed": "y", "prepay": "y", "rush": "u", "salary": "n"})
    assert result.flags == ("prepay", "job_changed")
    assert result.unsure == ("rush",)
    assert result.score == 6
