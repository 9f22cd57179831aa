"""An NGO's admin work against `python -m bot run` as a separate process (the sandbox's HTTP face), in
the four languages: a leaflet's reach in /stats, the figures as CSV, Excel and a PDF report (English
too), the registry template, an announcement to several languages scheduled for tomorrow and
cancelled, and /reload."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.i18n import po_path, read_catalog
from bot.sandbox.client import Person, queued_delivery
from bot.sandbox.core import Sandbox, SandboxMessage
from tests.conftest import LANGS, ROOT, until
from tests.test_e2e import NAMES, serving

ADMINS = {lang: 7_300_001 + number for number, lang in enumerate(LANGS)}
CATALOGS = {lang: read_catalog(po_path(ROOT / "locales", lang), lang) for lang in LANGS}


def t(msgid: str, lang: str) -> str:
    return str(CATALOGS[lang][msgid].string)


def documents(sandbox: Sandbox, chat_id: int) -> list[SandboxMessage]:
    return [m for m in sandbox.bot_messages(chat_id) if m.kind == "document"]


def plain(text: str) -> str:
    return text.replace("<b>", "").replace("</b>", "").replace("<code>", "").replace("</code>", "")


@pytest.mark.slow(14)
async def test_an_admins_figures_files_template_and_scheduled_announcement_in_a_running_bot(tmp_path: Path) -> None:
    sandbox = Sandbox()
    env = {"ADMIN_IDS": ",".join(str(i) for i in ADMINS.values()), "NGO_NAME": "Test NGO", "ADMIN_TIMEZONE": "Asia/Bishkek"}
    async with serving(tmp_path / "bot.sqlite3", sandbox, **env) as bot:
        deliver = queued_delivery(sandbox, timeout=30)
        reader = Person(sandbox, sandbox.add_user(7_200_001, "Reader", "ky"), deliver)
        await reader.send("/start ky-c-RU")  # a Kyrgyz leaflet about Russia
        admins = {}
        for lang, admin_id in ADMINS.items():
            admin = Person(sandbox, sandbox.add_user(admin_id, "Admin", lang), deliver)
            await admin.send("/start")
            await admin.click(NAMES[lang])
            admins[lang] = admin

        for lang, admin in admins.items():
            await admin.send("/stats")
            table = next(m for m in reversed(sandbox.bot_messages(ADMINS[lang])) if m.kind == "text")
            assert plain(t("<b>Reach by leaflet</b> (people who opened its link or QR code): {list}", lang).format(
                list="ky-c-RU 1")) in plain(table.text or ""), lang
            await admin.click(t("📄 CSV file", lang), table)
            await until(lambda lang=lang: len(documents(sandbox, ADMINS[lang])) >= 2, "two CSV files")
            totals = documents(sandbox, ADMINS[lang])[0]
            rows = list(csv.reader(io.StringIO(sandbox.files[totals.extra["file_id"]].decode("utf-8-sig"))))
            assert rows[0] == [t("Figure", lang), t("Detail", lang), t("Value", lang)], lang
            assert [t("Reach by leaflet: people who opened it", lang), "ky-c-RU", "1"] in rows
        uz = admins["uz"]
        table = next(m for m in reversed(sandbox.bot_messages(ADMINS["uz"])) if m.kind == "text" and m.buttons)
        await uz.click(t("📗 Excel file", "uz"), table)
        await until(lambda: len(documents(sandbox, ADMINS["uz"])) >= 3, "the workbook")
        book = load_workbook(io.BytesIO(sandbox.files[documents(sandbox, ADMINS["uz"])[-1].extra["file_id"]]))
        assert book.sheetnames == [t("Totals", "uz"), t("By day", "uz")]
        await uz.click(t("📑 Report in English", "uz"), table)
        await until(lambda: len(documents(sandbox, ADMINS["uz"])) >= 4, "the report")
        pdf = documents(sandbox, ADMINS["uz"])[-1]
        assert pdf.extra["file_name"].endswith("-en.pdf") and sandbox.files[pdf.extra["file_id"]].startswith(b"%PDF")

        tg = admins["tg"]
        await tg.send("/registries")
        await tg.click(t("📄 Template (Excel)", "tg"))
        await until(lambda: any(d.extra["file_name"] == "agency-registry-template.xlsx" for d in documents(sandbox, ADMINS["tg"])),
                    "the template")

        ky = admins["ky"]
        await ky.send("/broadcast")
        await ky.send("Эртең жыйын болот.")
        await ky.click("🌐 Кыргызча")
        await ky.click("🌐 Русский")
        assert t("🌐 Language: {value}", "ky").format(value="Русский, Кыргызча") in (ky.last.text or "")
        await ky.click(t("Tomorrow 09:00", "ky"))
        await ky.click(t("⏰ Schedule for {count} people", "ky").format(count=3))  # the reader, the ru and ky admins
        progress = sandbox.bot_messages(ADMINS["ky"])[-1]
        assert "09:00" in (progress.text or "") and t("Bishkek", "ky") in (progress.text or "")
        await ky.click(t("⏹ Cancel the broadcast", "ky"), message=progress)
        await until(lambda: plain(t("⏹ <b>Broadcast No. {number} cancelled.</b>", "ky").format(number=1)) in (
            sandbox.bot_messages(ADMINS["ky"])[-1].text or ""), "the cancelled broadcast")
        assert not [m for m in sandbox.bot_messages(reader.id) if "жыйын" in (m.text or "")]

        ru = admins["ru"]
        await ru.send("/reload")
        assert ru.last.text == t("The content files have not changed: nothing to reload.", "ru")
        code, output = await bot.stop()
    assert code == 0, output[-2000:]
    assert "Traceback" not in output
