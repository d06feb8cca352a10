"""The public board (公示栏) as a resident sees it: a convener's /board link opened in a real
headless Chromium at a phone's size and a desktop's, the same figures as the chat's result
message, the notice, the minutes and the calendar downloaded by following the links, the
language switch, and a rotated link that stops working. Nothing from the committee group and
no secret voter's name is in the page. The screenshots in docs/ are made here."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import socket
from pathlib import Path

import pytest

from tests.test_bulletin import closed_vote
from tests.test_events import TALK, save
from tests.test_minutes import meeting
from tests.test_notices import post
from tests.test_owner_votes import cast  # noqa: F401 (a fixture)

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS = Path(__file__).resolve().parents[1] / "docs"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LINK = re.compile(r"http://127\.0\.0\.1:\d+/b/[A-Za-z0-9_-]{24}/")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium here: .ci/run installs "
                                "it (apt-get install chromium fonts-noto-cjk)")


def read(path) -> bytes:
    return Path(path).read_bytes()


async def saved(download) -> bytes:
    """What a download the browser made holds."""
    return await asyncio.to_thread(read, await download.path())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_board(bot) -> None:
    """``yishi run --board-url http://127.0.0.1:PORT --board-port PORT``, for every start."""
    port = free_port()

    def enable(rt) -> None:
        rt.settings = dataclasses.replace(rt.settings, board_url=f"http://127.0.0.1:{port}",
                                          board_port=port, listen="127.0.0.1")

    bot.prepare.append(enable)


async def board_link(admin, group, command="/board") -> str:
    await admin.send(group, command)
    assert "privately" in (await group.expect_message()).text
    return LINK.search((await admin.private.expect_message()).text).group(0)


async def story(bot, tg, cast):  # noqa: F811
    serve_board(bot)
    admin, group, owners, _, result, files = await closed_vote(bot, tg, cast)
    await post(admin, group, "/notice Water off on Tuesday\n9:00–12:00, building 6.")
    await admin.send(group, "/notice_edit 1\n9:00–11:00, building 6.")
    assert "Notice #1 changed." in (await group.expect_message()).text
    li = tg.user("Li", language_code="en")
    group.add_member(li, announce=False)
    await meeting(admin, li, group)
    await admin.send(group, "/endmeeting")
    for _ in range(4):  # the minutes and their three files
        await group.expect_message()
    await save(admin, group, TALK)
    committee = tg.group("Building 6 committee", admins=[admin])
    await committee.add_bot(by=admin)
    await committee.expect_message()
    await admin.send(group, "/link committee")
    await group.expect_message()
    code = re.search(r"/link ([A-Z0-9]{8})", (await admin.private.expect_message()).text).group(1)
    await admin.send(committee, f"/link {code}")
    await committee.expect_message()
    await post(admin, committee, "/notice Committee draft budget\nNot for residents yet.")
    return admin, group, owners, result, files


async def test_the_board_as_a_resident_sees_it_on_a_phone_and_a_desktop(bot, tg, cast):  # noqa: F811
    from playwright.async_api import async_playwright

    admin, group, owners, result, files = await story(bot, tg, cast)
    resident = owners["6-1-102"]
    await resident.send(group, "/board")
    assert "only the community's conveners" in (await group.expect_message()).text
    url = await board_link(admin, group)

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            phone = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                              has_touch=True, accept_downloads=True)
            page = await phone.new_page()
            answer = await page.goto(url)
            assert answer.status == 200 and answer.headers["content-type"].startswith("text/html")
            assert await page.evaluate("document.documentElement.lang") == "en"
            text = await page.inner_text("body")
            assert "Building 6 owners" in await page.inner_text("h1")
            # the same figures as the chat's result message
            figures = [line.strip() for line in result.text.splitlines()
                       if re.match(r"\s*(owners|area) .* of |\s*(Disagree|Abstain): |Not passed", line)]
            assert len(figures) >= 6, result.text
            for line in figures:
                assert line in text, line
            bulletin_sha = re.search(r"Bulletin SHA-256: ([0-9a-f]{64})", result.text).group(1)
            assert bulletin_sha in text
            assert "Notice #1 Water off on Tuesday" in text and "9:00–11:00, building 6." in text
            assert "✏️ Changed:" in text and "9:00–12:00" not in text
            assert "Minutes of meeting #1" in text and "东门凉亭" in text and "小区夜话" in text
            # nothing from the committee, no secret voter, no unit, no user id
            html = re.sub(r"<svg.*?</svg>", "", await page.content(), flags=re.S)  # a chart: shapes only
            assert "<svg" in await page.content()  # this month's charts are in the page
            assert "Committee draft budget" not in html and "Building 6 committee" not in html
            for label, owner in owners.items():
                assert owner.full_name not in html and label not in html and str(owner.id) not in html
            assert str(admin.id) not in html
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], "the page is wider than the phone"
            await page.screenshot(path=str(DOCS / "board-phone.png"), full_page=True)

            async with page.expect_download() as wait:  # the bulletin, as the chat was sent it
                await page.click("text=vote-1-bulletin.json")
            download = await wait.value
            assert download.suggested_filename == "vote-1-bulletin.json"
            assert await saved(download) == files["vote-1-bulletin.json"]
            async with page.expect_download() as wait:
                await page.click("text=vote-1-ballots.csv")
            assert await saved(await wait.value) == files["vote-1-ballots.csv"]
            async with page.expect_download() as wait:  # the minutes, as Word
                await page.click("#minutes-1 >> text=Word (.docx)")
            download = await wait.value
            assert download.suggested_filename == "minutes-1.docx"
            assert (await saved(download))[:2] == b"PK"  # a Word file is a zip
            md_link = await page.get_attribute("#minutes-1 a[href$='.md']", "href")
            markdown = await phone.request.get(url + md_link)
            assert "请物业两周内修好" in await markdown.text()
            calendar = await phone.request.get(url + await page.get_attribute("a[href='events.ics']", "href"))
            assert calendar.status == 200 and calendar.headers["content-type"].startswith("text/calendar")
            ics = await calendar.text()
            assert "BEGIN:VCALENDAR" in ics and "SUMMARY:小区夜话" in ics and "RRULE:FREQ=WEEKLY" in ics

            await page.click("text=繁體中文")  # the language switch
            await page.wait_for_url(url + "?lang=zh_Hant")
            assert await page.evaluate("document.documentElement.lang") == "zh-Hant"
            hant = await page.inner_text("body")
            assert "業主表決" in hant and "未通過" in hant and "近期活動" in hant
            await page.click("text=English")
            assert await page.evaluate("document.documentElement.lang") == "en"

            desktop = await browser.new_context(viewport=DESKTOP)
            wide = await desktop.new_page()
            await wide.goto(url)
            await wide.screenshot(path=str(DOCS / "board-desktop.png"), full_page=True)

            new_url = await board_link(admin, group, "/board rotate")  # the old link stops working
            assert new_url != url
            gone = await page.goto(url)
            assert gone.status == 404 and "Not found" in await page.inner_text("h1")
            assert "Water off" not in await page.content()
            assert (await phone.request.get(url + "events.ics")).status == 404
            assert (await phone.request.get(url + "vote/1/bulletin.json")).status == 404
            again = await page.goto(new_url)
            assert again.status == 200 and "Water off on Tuesday" in await page.inner_text("body")
            assert (await page.goto(new_url + "minutes/9.md")).status == 404
            assert await board_link(admin, group) == new_url  # /board again: the same, current link
        finally:
            await browser.close()


async def test_without_a_board_url_there_is_no_board(bot, tg, cast):  # noqa: F811
    from tests.test_owner_votes import joined

    admin, group = await joined(bot, cast)
    await admin.send(group, "/board")
    assert "does not serve a public board" in (await group.expect_message()).text
