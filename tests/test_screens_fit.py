"""Every guide page and every checklist screen, rendered in every language as a person sees it (header,
sources line, dates), fits a cheap phone's screen: at most 1,200 characters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape

import pytest

from bot.content import require_content
from bot.i18n import DOMAIN, CatalogI18n
from bot.models import CITIZENSHIPS, Mark, Trip, User
from bot.screens import checklist as checklist_screens
from bot.screens import guide as guide_screens
from bot.services.checklist import ChecklistService, Sheet
from tests.conftest import LANGS, ROOT

CONTENT = require_content(ROOT / "content")
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def person(lang: str, citizenship: str | None, destination: str | None = None) -> User:
    return User(1, lang, lang, citizenship, destination, NOW, NOW, False)
I18N = CatalogI18n(path=ROOT / "locales", default_locale="ru", domain=DOMAIN)
FIT = 1200  # characters a person sees (links and tags are not on the screen)


def visible(html: str) -> int:
    return len(unescape(re.sub(r"<[^>]+>", "", html)))
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("lang", LANGS)
def test_every_guide_page_fits_a_phone(lang: str) -> None:
    too_long = []
    with I18N.context(), I18N.use_locale(lang):
        for topic_id, entry in CONTENT.languages[lang].topics.items():
            for page in range(len(entry.pages)):
                for citizenship in (None, *CITIZENSHIPS):
                    user = person(lang, citizenship)
                    text = guide_screens.topic(CONTENT, lang, topic_id, page, user).text
                    if visible(text) > FIT:
                        too_long.append((topic_id, page + 1, citizenship, visible(text)))
    assert too_long == []


def _sheet(country: str, citizenship: str, lang: str) -> Sheet:
    service = ChecklistService(db=None, repo=None, content=CONTENT)  # type: ignore[arg-type]
    trip = Trip(1, country, date(2026, 11, 1), date(2026, 11, 2), True)
    marks = {item.id: Mark(item.id, False, date(2026, 11, 5), False, 1)
             for item in CONTENT.checklist(country, citizenship) if item.own_date}
    entries = [service.entry(item, trip, marks.get(item.id), TODAY, country)
               for item in CONTENT.checklist(country, citizenship)]
    return Sheet(country, citizenship, trip, entries, TODAY)


@pytest.mark.parametrize("lang", LANGS)
def test_every_checklist_screen_fits_a_phone(lang: str) -> None:
    too_long = []
    with I18N.context(), I18N.use_locale(lang):
        for country in CONTENT.checklists.countries:
            for citizenship in CITIZENSHIPS:
                sheet = _sheet(country, citizenship, lang)
                for phase in ("before", "after"):
                    text = checklist_screens.checklist(CONTENT, lang, sheet, phase).text
                    if visible(text) > FIT:
                        too_long.append((country, citizenship, phase, visible(text)))
                for entry in sheet.entries:
                    text = checklist_screens.item_screen(CONTENT, lang, sheet, entry).text
                    if visible(text) > FIT:
                        too_long.append((country, citizenship, entry.id, visible(text)))
                late = [e for e in sheet.entries if e.deadline is not None]
                if late:
                    text = checklist_screens.reminder_message(CONTENT, lang, sheet, late[:2]).text
                    if visible(text) > FIT:
                        too_long.append((country, citizenship, "reminder", visible(text)))
    assert too_long == []


def test_a_missed_patent_payment_is_shown_as_missed_with_what_to_do() -> None:
    """Issued 20 October, one month paid, today 1 December: the payment due about 18 November was not
    recorded. The screen says so and what to do; it never skips to December's payment."""
    service = ChecklistService(db=None, repo=None, content=CONTENT)  # type: ignore[arg-type]
    item = next(i for i in CONTENT.checklist("RU", "TJ") if i.id == "ru_patent_pay")
    trip = Trip(1, "RU", date(2026, 10, 1), date(2026, 10, 2), True)
    entry = service.entry(item, trip, Mark(item.id, False, date(2026, 10, 20), False, 1), TODAY, "RU")
    assert entry.missed and entry.deadline == date(2026, 11, 18) and entry.late
    sheet = Sheet("RU", "TJ", trip, [entry], TODAY)
    for lang in LANGS:
        with I18N.context(), I18N.use_locale(lang):
            text = checklist_screens.item_screen(CONTENT, lang, sheet, entry).text
            assert checklist_screens.day_text(date(2026, 11, 18), lang, TODAY) in text
            assert CONTENT.fill(lang, CONTENT.item_text(lang, "ru_patent_pay").late or "").text[:30] in text
            assert checklist_screens.day_text(date(2026, 12, 18), lang, TODAY) not in text


def _answers(ids: tuple[str, ...], value: str) -> dict[str, str]:
    return dict.fromkeys(ids, value)


@pytest.mark.parametrize("lang", LANGS)
def test_every_verdict_and_result_fits_a_phone(lang: str) -> None:
    """The red-flag verdict and the self-check result at their longest: every flag, every place."""
    from bot.screens import agency as agency_screens
    from bot.screens import selfcheck as selfcheck_screens
    from bot.screens.guide import Where
    from bot.services import redflags, selfcheck

    too_long = []
    places = [None, "RU", "KZ", "TR", "AE", "KR", "KG", "TJ", "UZ"]
    with I18N.context(), I18N.use_locale(lang):
        for place in places:
            for citizenship in CITIZENSHIPS:
                where = Where(place, citizenship)
                for value in ("y", "u"):
                    verdict = redflags.assess(_answers(redflags.FLAG_IDS, value))
                    text = agency_screens.verdict_screen(verdict, CONTENT, lang, where, "ООО «Очень длинное название агентства»").text
                    if visible(text) > FIT:
                        too_long.append(("verdict", value, place, citizenship, visible(text)))
                    result = selfcheck.score(_answers(selfcheck.QUESTION_IDS, value))
                    text = selfcheck_screens.result(result, CONTENT, lang, where).text
                    if visible(text) > FIT:
                        too_long.append(("selfcheck", value, place, citizenship, visible(text)))
        text = agency_screens.not_found("Очень длинное название агентства по трудоустройству", {}, CONTENT, lang).text
        if visible(text) > FIT:
            too_long.append(("not_found", visible(text)))
    assert too_long == []


@pytest.mark.parametrize("lang", LANGS)
def test_help_contacts_and_danger_answers_fit_a_phone(lang: str) -> None:
    from bot.models import DESTINATIONS
    from bot.screens import search as search_screens
    from bot.screens import start as start_screens
    from bot.screens.guide import Where

    too_long = []
    with I18N.context(), I18N.use_locale(lang):
        if visible(start_screens.help_(CONTENT, lang).text) > FIT:
            too_long.append(("help", visible(start_screens.help_(CONTENT, lang).text)))
        for place in (*DESTINATIONS, *CITIZENSHIPS, "XX"):
            for citizenship in CITIZENSHIPS:
                someone = User(1, lang, lang, citizenship, None, NOW, NOW, False, place)
                for name, screen in (
                    ("contacts", guide_screens.contacts_home(CONTENT, lang, someone)),
                    ("danger", search_screens.danger(CONTENT, lang, Where(place, citizenship), ["documents_taken", "consulate_help"])),
                    ("country", guide_screens.contacts_for_country(CONTENT, lang, place, citizenship)),
                ):
                    if visible(screen.text) > FIT:
                        too_long.append((name, place, citizenship, visible(screen.text)))
        for need in ("emergency", "trafficking", "labour", "migration", "consulate", "home"):
            text = guide_screens.contacts_for_need(CONTENT, lang, need).text
            if visible(text) > FIT:
                too_long.append((need, visible(text)))
    assert too_long == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_consult_flow_and_the_sources_screens_fit_a_phone(lang: str) -> None:
    from datetime import datetime as moment

    from bot.models import DESTINATIONS, Case
    from bot.screens import consult as consult_screens
    from bot.screens import privacy as privacy_screens
    from bot.screens import profile as profile_screens
    from bot.screens.guide import Where

    too_long = []
    with I18N.context(), I18N.use_locale(lang):
        screens = [consult_screens.consent_screen(True, "Safe Road"), consult_screens.share_screen(),
                   consult_screens.describe_screen(), consult_screens.describe_in_words(),
                   consult_screens.username_screen("aida_consult"), consult_screens.still_open(12),
                   consult_screens.no_conversation(), consult_screens.conversation_ended(12),
                   privacy_screens.ask(), privacy_screens.forgotten(), profile_screens.start(person(lang, "KG", "RU"))]
        for place in (None, *DESTINATIONS, *CITIZENSHIPS):
            for citizenship in CITIZENSHIPS:
                screens.append(consult_screens.unavailable(CONTENT, lang, Where(place, citizenship)))
                at = moment(2026, 12, 1, 9, tzinfo=UTC)
                case = Case(12, 1, "danger", "emergency", (), None, None, place, citizenship, lang, None, "main", "waiting",
                            None, None, None, at, None, None, at, None, 0, None)
                text = consult_screens.opened_text(case, CONTENT, lang, Where(place, citizenship), NOW, 30)
                if visible(text) > FIT:
                    too_long.append(("opened", place, citizenship, visible(text)))
        for topic_id, entry in CONTENT.languages[lang].topics.items():
            for page in range(len(entry.pages)):
                screens.append(guide_screens.sources(CONTENT, lang, topic_id, page))
        too_long += [(screen.text[:40], visible(screen.text)) for screen in screens if visible(screen.text) > FIT]
    assert too_long == []
