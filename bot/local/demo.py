"""`yishi demo`: a story from the seeds, played end to end against the real bot, checked as it goes.

Building 6 of a compound replaces its elevators by an owner vote counted under
the Civil Code; a resident's golden idea goes on the next evening talk's
agenda; the talk takes minutes, and the action item it creates is followed
until it is done. The bot runs exactly as in production, against the Telegram
stand-in; the residents are played by this script; the bot's clock jumps
ahead so reminders and deadlines come at once. Each step says what it expects,
and the demo stops with status 1 at the first step that does not get it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.i18n import N_, Translator
from bot.local.sandbox import Sandbox
from bot.local.stage import Stage, StepFailed
from bot.local.standin import FakeMessage, FakeUser

TZ = "Asia/Shanghai"
STORY_STARTS = datetime(2026, 7, 13, 10, 0, tzinfo=ZoneInfo(TZ))  # a Monday

# Building 6: two entrances, 12 floors, two flats a floor; flats ending in 1 have 89.50 m², in 2 110.20 m².
FLATS = [(entrance, f"{floor}0{door}") for entrance in (1, 2) for floor in range(1, 13) for door in (1, 2)]
AREA = {flat: 8950 if flat[1].endswith("1") else 11020 for flat in FLATS}  # centi-m²
SHARED = [(1, "101"), (1, "102")]  # one owner, two flats
UNSOLD = [(2, "1201"), (2, "1202")]  # the developer's
FEATURED = {(1, "201"): 0, (1, "302"): 1, (2, "401"): 2}  # the default residents' flats, by position
# How the owners vote: all agree in the first week, except these. LATER vote after the reminder; AWAY never
# vote (with the developer, that leaves 38 of 46 owners taking part).
LATER = [(1, "201"), (1, "1101"), (1, "1201"), (2, "301"), (2, "501"), (2, "1001"), (2, "1101"), (1, "1001")]
DISAGREE = [(1, "501"), (1, "601"), (1, "701"), (2, "101"), (2, "201"), (2, "401"), (2, "1101")]
ABSTAIN = [(1, "1001")]
AWAY = [(2, "502"), (2, "602"), (2, "702"), (2, "802"), (2, "902"), (2, "1002"), (2, "1102")]


@dataclass(frozen=True)
class Lines:
    """What the people of the story write, in the group's script."""

    registry_header: str
    shared_owner: str
    yes: str
    owner: str
    vote: str
    outcome: str
    idea: str
    event: str
    meeting: str
    topic: str
    remark: str
    decision: str
    action: str
    done_note: str


SIMPLIFIED = Lines(
    registry_header="楼栋,单元,房号,建筑面积,业主,开发商",
    shared_owner="陈建国",
    yes="是",
    owner="业主{unit}",
    vote="/ownervote 6号楼更换电梯\n范围 6栋\n无记名\n截止 7月20日 20:00",
    outcome="业主表决通过，启动6号楼电梯更换",
    idea="凉亭的石凳冬天太凉，建议换成木椅",
    event="/event 凉亭夜话\n时间 每周四 19:30\n地点 东门凉亭\n主持 王芳\n时长 2小时",
    meeting="/meeting 夜话 凉亭改造",
    topic="凉亭石凳太凉",
    remark="老人冬天坐着不舒服，换成木椅吧",
    decision="请物业更换为木质座椅",
    action="/action 物业 更换凉亭座椅\n截止 两周后",
    done_note="已更换为木质座椅",
)
TRADITIONAL = Lines(
    registry_header="樓棟,單元,房號,建築面積,業主,開發商",
    shared_owner="陳建國",
    yes="是",
    owner="業主{unit}",
    vote="/ownervote 6號樓更換電梯\n範圍 6棟\n無記名\n截止 7月20日 20:00",
    outcome="業主表決通過，啟動6號樓電梯更換",
    idea="涼亭的石凳冬天太涼，建議換成木椅",
    event="/event 涼亭夜話\n時間 每週四 19:30\n地點 東門涼亭\n主持 王芳\n時長 2小時",
    meeting="/meeting 夜話 涼亭改造",
    topic="涼亭石凳太涼",
    remark="老人冬天坐著不舒服，換成木椅吧",
    decision="請物業更換為木質座椅",
    action="/action 物業 更換涼亭座椅\n截止 兩週後",
    done_note="已更換為木質座椅",
)
LINES = {"zh_Hans": SIMPLIFIED, "zh_Hant": TRADITIONAL, "en": SIMPLIFIED}


def label(flat: tuple[int, str]) -> str:
    return f"6-{flat[0]}-{flat[1]}"


def registry(lines: Lines) -> bytes:
    rows = [lines.registry_header]
    for flat in FLATS:
        owner = lines.shared_owner if flat in SHARED else ""
        unsold = lines.yes if flat in UNSOLD else ""
        rows.append(f"6,{flat[0]},{flat[1]},{AREA[flat] / 100:.2f},{owner},{unsold}")
    return ("\n".join(rows) + "\n").encode("gbk")  # as Excel in China saves it


class Story(Stage):
    """Building 6: the elevator vote, the golden idea, and the evening talk with its minutes."""

    def __init__(self, box: Sandbox, t: Translator, out: Path) -> None:
        super().__init__(box, t, out)
        self.lines = LINES[box.locale]
        self.owners: dict[tuple[int, str], FakeUser] = {}

    # -- the story ---------------------------------------------------------------------------

    async def play(self) -> None:
        await self.elevator_vote()
        await self.golden_idea()
        await self.evening_talk()
        self.write(self.transcript.take())

    async def elevator_vote(self) -> None:
        box, t, lines, admin, group = self.box, self.t, self.lines, self.box.admin, self.box.group
        self.step(N_("Building 6 replaces its elevators. First the convener imports the household registry, "
                  "privately: 48 flats, two of them one owner's, two still the developer's."))
        await self.says(admin, "/households import")
        prompt = await self.expect(group)
        await self.shows(await self.opens(admin, prompt), t.gettext(
            "Now send me the household registry of %(group)s as a CSV file.", group=group.title))
        await admin.send_document(admin.private, "6.csv", registry(lines))
        await box.settle()
        await self.expect(admin.private, t.gettext(
            "New: %(added)s, updated: %(updated)s, unchanged: %(unchanged)s, no longer listed: %(retired)s.",
            added=48, updated=0, unchanged=0, retired=0))

        self.step(N_("One-time codes go to the convener as a file; each owner binds their household with "
                  "their code's link."))
        await self.says(admin, "/households codes")
        await self.expect(group, t.gettext("I sent you the codes privately."))
        sheet = await self.expect(admin.private)
        rows = list(csv.reader(io.StringIO(sheet.document.data.decode("utf-8-sig"))))[1:]
        links = {row[0]: row[2] for row in rows}
        residents = [box.person_named(name) for name in box.resident_names]
        for flat in FLATS:
            if flat in UNSOLD:
                continue
            if flat in SHARED:
                owner = box.person_named(lines.shared_owner)
            elif flat in FEATURED and FEATURED[flat] < len(residents):
                owner = residents[FEATURED[flat]]
            else:
                owner = box.person_named(lines.owner.format(unit=label(flat)))
            if flat in SHARED or flat in FEATURED:
                self.shown.add(owner.id)
            self.owners[flat] = owner
            group.add_member(owner, announce=False)
            await box.open_link(owner, links[label(flat)])
            await self.expect(owner.private, t.gettext(
                "You are registered in %(community)s as an owner of %(unit)s.",
                community=group.title, unit=label(flat)))
        self.aside(N_("%(count)s owners bound their households; their private chats are not shown."),
                   count=len(set(self.owners.values())))

        self.step(N_("The convener starts a secret owner vote for building 6. It is about elevators, so it "
                  "is a major matter: 3/4 of those taking part must agree, by head and by area."))
        await self.says(admin, lines.vote)
        vote = await self.expect(group, t.gettext("Owner vote"), "6")
        voters = [flat for flat in self.owners if flat not in AWAY and flat not in SHARED[1:]]
        first = [flat for flat in voters if flat not in LATER]
        await self.ballots(vote, first)
        agree = [flat for flat in first if flat not in DISAGREE + ABSTAIN]
        self.aside(N_("%(count)s owners voted privately: %(agree)s agree, %(others)s disagree."),
                   count=len(first), agree=len(agree), others=len(first) - len(agree))
        await self.shows(vote, t.gettext("owners %(part)s of %(all)s (%(share)s)", part=len(first), all=46,
                                         share=t.percent(len(first) / 46)))

        self.step(N_("A day before the deadline the bot reminds, privately, every owner who has not voted."))
        await self.skip_to("2026-07-19T20:01")
        featured_later = self.owners[LATER[0]]
        await self.expect(featured_later.private,
                          t.gettext("Reminder: you have not voted on #%(number)s yet.", number=1))
        await self.says(admin, "/notvoted 1")
        await self.expect(group, label(LATER[1]), label(AWAY[0]))

        self.step(N_("The last owners vote; at 20:00 on 20 July the vote closes by itself and the result is "
                  "announced."))
        await self.ballots(vote, LATER)
        await self.skip_to("2026-07-20T20:01")
        participants = len(first) + len(LATER)
        area = sum(AREA[flat] for flat in FLATS if flat not in AWAY + UNSOLD)
        result = await self.expect(
            group, t.gettext("Result of %(kind)s #%(number)s", kind=t.gettext("Owner vote"), number=1),
            t.gettext("owners %(part)s of %(all)s (%(share)s)", part=participants, all=46,
                      share=t.percent(participants / 46)),
            t.gettext("area %(part)s of %(all)s (%(share)s)", part=self.m2(area), all=self.m2(479280),
                      share=t.percent(area / 479280)),
            t.gettext("Passed"))
        (self.out / "vote-1-result.txt").write_text(result.text + "\n", encoding="utf-8")

        self.step(N_("The convener makes the result final and exports it: one row per flat, without choices, "
                  "since the ballot was secret."))
        await self.says(admin, f"/final 1 {lines.outcome}")
        await self.expect(group, lines.outcome)
        await self.says(admin, "/export 1")
        export = await self.expect(admin.private)
        if export.document is None or label(AWAY[0]) not in export.document.data.decode("utf-8-sig"):
            raise StepFailed(t.gettext("Step %(step)s: the export has no row per flat.", step=self.number))

    async def ballots(self, vote: FakeMessage, flats: list[tuple[int, str]]) -> None:
        """Each owner opens the vote's private link and presses their choice."""
        for flat in flats:
            owner = self.owners[flat]
            ballot = await self.opens(owner, vote)
            choice = 2 if flat in ABSTAIN else 1 if flat in DISAGREE else 0
            await self.presses(owner, ballot, choice)

    async def golden_idea(self) -> None:
        box, t, lines, admin, group = self.box, self.t, self.lines, self.box.admin, self.box.group
        residents = [box.person_named(name) for name in box.resident_names]
        self.step(N_("A resident suggests a golden idea; neighbours endorse it with a press."))
        await self.says(residents[0], f"/idea {lines.idea}")
        card = await self.expect(group, lines.idea)
        for neighbour in [*residents[1:], admin, self.owners[SHARED[0]]]:
            await self.presses(neighbour, card, 0)
        await self.shows(card, t.gettext("👍 Endorse · %(num)s", num=len(residents) + 1))

        self.step(N_("The convener puts the idea on the agenda of the next evening talk."))
        await self.says(admin, "/idea_agenda 1")
        await self.expect(group, t.gettext("Idea #%(number)s is on the agenda of the next meeting.",
                                           number=1))

    async def evening_talk(self) -> None:
        box, t, lines, admin, group = self.box, self.t, self.lines, self.box.admin, self.box.group
        residents = [box.person_named(name) for name in box.resident_names]
        self.step(N_("The convener schedules the weekly evening talk at the pavilion; nothing is saved until "
                  "Save is pressed."))
        await self.skip_to("2026-07-21T09:00")
        await self.says(admin, lines.event)
        preview = await self.expect(group, t.gettext("Nothing is saved until you press Save."))
        await self.presses(admin, preview, 0)
        talk = await self.expect(group, lines.event.splitlines()[0].split(" ", 1)[1])
        for resident in residents:
            await self.presses(resident, talk, 0)

        self.step(N_("The reminders come a day and an hour before, with the agenda: the golden idea is "
                     "on it."))
        await self.skip_to("2026-07-23T18:31")
        for _ in range(2):
            await self.expect(group, self.part("Reminder: %(event)s", "%(event)s"), lines.idea)

        self.step(N_("At the talk the convener takes the minutes: a topic, a resident's remark, a decision "
                     "and an action item for the property manager, due in two weeks."))
        await self.skip_to("2026-07-23T19:30")
        await self.says(admin, lines.meeting)
        await self.expect(group)
        recorded = t.gettext("Recorded.")
        await self.says(admin, "/ref 1")
        await self.expect(group, recorded)
        await self.says(admin, f"/topic {lines.topic}")
        await self.expect(group, recorded)
        remark = await self.says(residents[0], lines.remark)
        await self.says(admin, "/note", reply_to=remark)
        await self.expect(group, recorded)
        await self.says(admin, f"/decision {lines.decision}")
        await self.expect(group, recorded)
        await self.says(admin, lines.action)
        await self.expect(group, self.part("Action item #%(number)s for %(owner)s%(when)s recorded.",
                                           "%(when)s", number=1, owner=lines.action.split()[1]))
        await self.skip_to("2026-07-23T21:15")
        await self.says(admin, "/endmeeting")
        await self.expect(group, lines.decision, lines.remark, lines.idea)
        for name in ("minutes-1.docx", "minutes-1.html", "minutes-1.md"):
            document = await self.expect(group)
            if document.document is None or document.document.file_name != name:
                raise StepFailed(t.gettext("Step %(step)s: the bot did not send %(file)s.",
                                           step=self.number, file=name))
        await self.says(admin, "/idea_state 1 accepted")

        self.step(N_("The day before the item is due, its owner is reminded; the work is done and the item "
                  "closed, and so is the idea."))
        await self.skip_to("2026-08-05T20:01")
        await self.expect(group, self.part("Reminder: action item #%(number)s is due %(when)s:", "%(when)s",
                                           number=1))
        await self.says(admin, f"/done 1 {lines.done_note}")
        await self.expect(group, t.gettext("Action item #%(number)s: %(status)s.", number=1,
                                           status=t.gettext("done")))
        await self.says(admin, "/idea_state 1 in_progress")
        await self.says(admin, "/idea_state 1 done")
        await self.says(admin, "/actions")
        await self.expect(group, t.gettext("No open action items."))


def folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


async def demo(locale: str, out: Path) -> int:
    """Play the story; 0 when every step got what it expected, else 1 with the reason."""
    t = Translator(locale, ZoneInfo(TZ))
    out = folder(out)
    async with Sandbox(locale=locale, tz=TZ, starts_at=STORY_STARTS, edit_interval=3,
                       group_rate=600) as box:
        story = Story(box, t, out)
        try:
            await story.play()
        except StepFailed as failure:
            story.write(story.transcript.take())
            story.write([("class:problem", "✗ " + str(failure) + "\n")])
            return 1
        except Exception as error:
            story.write(story.transcript.take())
            story.write([("class:problem", "✗ " + t.gettext("Step %(step)s failed: %(error)r",
                                                            step=story.number, error=error) + "\n")])
            return 1
        finally:
            (out / "transcript.txt").write_text("".join(story.text), encoding="utf-8")
        violations = box.tg.violations
    if violations:
        story.write([("class:problem", "✗ " + t.gettext("The bot broke the Bot API: %(what)s",
                                                        what="; ".join(violations)) + "\n")])
        return 1
    story.write([("", "\n"), ("class:bot", "✓ " + t.gettext(
        "Every step did what the story expects. Minutes, the vote's result and the transcript are in "
        "%(folder)s.", folder=out)), ("", "\n")])
    return 0

