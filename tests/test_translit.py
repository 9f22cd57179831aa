"""Uzbek Latin to Cyrillic (bot/services/translit.py): every text of the bot in Uzbek (the catalog and
the content) comes back the same from Cyrillic; the Cyrillic is Cyrillic; what is not Uzbek is kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from bot.i18n import po_path, read_catalog
from bot.services.translit import _KEEP, to_cyrillic, to_latin
from tests.conftest import ROOT


def _leaves(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value)


def uzbek_texts() -> list[str]:
    catalog = read_catalog(po_path(ROOT / "locales", "uz"), "uz")
    texts = [str(m.string) for m in catalog if m.id and m.string]
    for path in sorted((ROOT / "content" / "uz").glob("*.yaml")):
        texts += list(_leaves(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return texts


TEXTS = uzbek_texts()
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def test_every_uzbek_text_comes_back_the_same_from_cyrillic() -> None:
    """A text quoting Russian (a button's name in Telegram's Russian menu) keeps the Russian as it is; the
    way back cannot tell it from Uzbek, so there the Uzbek is compared: both sides read back alike."""
    assert len(TEXTS) > 800
    broken = [text for text in TEXTS if to_latin(to_cyrillic(text)) != (to_latin(text) if CYRILLIC.search(text) else text)]
    assert broken == []


def test_the_cyrillic_is_cyrillic() -> None:
    latin_left = []
    for text in TEXTS:
        letters = [c for c in _KEEP.sub("", to_cyrillic(text)) if c.isalpha()]
        latin = sum("a" <= c.lower() <= "z" for c in letters)
        if len(letters) > 40 and latin / len(letters) > 0.35:  # formats (YYYY-MM-DD), acronyms and names stay Latin
            latin_left.append(text[:80])
    assert latin_left == []


@pytest.mark.parametrize(("latin", "cyrillic"), [
    ("Oʻzbekcha", "Ўзбекча"), ("Yoʻl haqida maʼlumot", "Йўл ҳақида маълумот"), ("qayerda", "қаерда"),
    ("Ertaga", "Эртага"), ("yangi yil", "янги йил"), ("qoʻngʻiroq", "қўнғироқ"), ("SHAHAR", "ШАҲАР"), ("AQSh", "АҚШ"), ("YeOIIga", "ЕОИИга"),
    ("<b>Diqqat!</b> /start {count}", "<b>Диққат!</b> /start {count}"),
    ("WhatsApp, CSV, https://t.me/x_bot?start=uz-menu", "WhatsApp, CSV, https://t.me/x_bot?start=uz-menu"),
    ("Toshkent &amp; Samarqand", "Тошкент &amp; Самарқанд"), ("migratsiya, politsiya", "миграция, полиция"),
    ("ketsa", "кетса"), ("U yerda", "У ерда"), ("5-sentabrdan 1-oktabrgacha, sentabr", "5-сентябрдан 1-октябргача, сентябрь"),
    ("litsenziyasi, inspeksiya, obyekt", "лицензияси, инспекция, объект"), ("BAA va BAAda, IIV", "БАА ва БААда, ИИВ"),
    ("IOM, EPSda, MOHRE", "IOM, EPSda, MOHRE"), ("SINOV MAʼLUMOTLARI", "СИНОВ МАЪЛУМОТЛАРИ"),
    ("mohre.gov.ae, egov.kz sayti", "mohre.gov.ae, egov.kz сайти"), ("TSONda, konsultatsiya", "ЦОНда, консультация"),
    ("(job offer), Emirates ID, YİMER", "(job offer), Emirates ID, YİMER"), ("UTF-8, YYYY-MM-DD, fayl.xlsx, valid_to", "UTF-8, YYYY-MM-DD, файл.xlsx, valid_to"), ("<code>KG https://x.org 2026</code>", "<code>KG https://x.org 2026</code>"),
])
def test_letters_words_and_what_is_kept(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic and to_latin(cyrillic) == latin
