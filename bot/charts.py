"""The monthly report's charts: one figure of six panels, as PNG (the photo), SVG (the public
board) and PDF (for printing); and a consultation's heat map of agreement (PNG).

matplotlib with the Agg backend only, and never pyplot: each call builds its own
``matplotlib.figure.Figure``, so reports render side by side in threads (call the ``render_*``
functions through ``asyncio.to_thread``). Chinese labels are set in Noto Sans CJK, registered
with matplotlib's font manager by path (never through the font cache): the system's copy when
Debian's ``fonts-noto-cjk`` is installed, else the one the ``noto-cjk-sans-otc`` package ships
(a dependency, so a fresh ``pip install`` has it). One collection holds the Simplified (SC) and
the Traditional (TC) faces.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure

from bot.domain.monthly import IDEA_STATES, MonthFigures
from bot.i18n import N_, Translator

WIDTH, HEIGHT, DPI = 1280, 1600, 100  # a photo well inside Telegram's limits
SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
)
FACES = {"zh_Hant": "Noto Sans CJK TC"}  # every other locale: the Simplified face
DEFAULT_FACE = "Noto Sans CJK SC"
COLOURS = {"main": "#2f6db5", "good": "#3a9a5b", "bad": "#c8553d", "muted": "#9aa5b1", "line": "#e0a030"}

IDEA_STATE_LABELS = {
    "new": N_("new"), "discussion": N_("in discussion"), "accepted": N_("accepted"),
    "in_progress": N_("in progress"), "done": N_("done"),
}
_lock = threading.Lock()
_font: str | None = None


def font_file() -> Path:
    """The Noto Sans CJK collection used: the system's, else the packaged one."""
    for candidate in SYSTEM_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def ensure_font() -> str:
    """Register the CJK font by path (once) and make it the figures' font; its file's path."""
    global _font
    with _lock:
        if _font is None:
            path = font_file()
            font_manager.fontManager.addfont(str(path))
            matplotlib.rcParams["font.family"] = ["sans-serif"]
            matplotlib.rcParams["font.sans-serif"] = [DEFAULT_FACE, FACES["zh_Hant"], "Noto Sans CJK JP",
                                                      "DejaVu Sans"]
            matplotlib.rcParams["axes.unicode_minus"] = False
            matplotlib.rcParams["svg.fonttype"] = "path"  # the page shows the glyphs, fonts or not
            _font = str(path)
        return _font


def _face(t: Translator) -> str:
    names = {f.name for f in font_manager.fontManager.ttflist}
    wanted = FACES.get(t.locale, DEFAULT_FACE)
    return wanted if wanted in names else next((n for n in names if n.startswith("Noto Sans CJK")),
                                               "DejaVu Sans")


def _pct(t: Translator, value: float | None) -> str:
    return t.percent(value) if value is not None else "–"


def _figure(figures: MonthFigures, t: Translator) -> Figure:
    ensure_font()
    face = _face(t)
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, layout="constrained")
    figure.get_layout_engine().set(h_pad=0.15, w_pad=0.15)
    title = t.gettext("Monthly report %(month)s", month=t.month(figures.month))
    figure.suptitle(title, fontsize=24, family=face, weight="bold")
    axes = figure.subplots(3, 2)
    _requests(axes[0][0], figures, t, face)
    _request_rates(axes[0][1], figures, t, face)
    _ideas(axes[1][0], figures, t, face)
    _votes(axes[1][1], figures, t, face)
    _meetings(axes[2][0], figures, t, face)
    _rating(axes[2][1], figures, t, face)
    for row in axes:
        for ax in row:
            for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
                label.set_family(face)
    return figure


def _title(ax, text: str, face: str) -> None:
    ax.set_title(text, fontsize=16, family=face, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _empty(ax, text: str, face: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=15, family=face, color=COLOURS["muted"],
            transform=ax.transAxes)


def _month_labels(figures: MonthFigures, t: Translator) -> list[str]:
    return [t.month(month) for month, _ in figures.requests]


def _requests(ax, figures: MonthFigures, t: Translator, face: str) -> None:
    _title(ax, t.gettext("Requests received and resolved"), face)
    labels = _month_labels(figures, t)
    received = [f.received for _, f in figures.requests]
    resolved = [f.resolved for _, f in figures.requests]
    places = range(len(labels))
    ax.bar([p - 0.2 for p in places], received, width=0.4, color=COLOURS["main"],
           label=t.gettext("received"))
    ax.bar([p + 0.2 for p in places], resolved, width=0.4, color=COLOURS["good"],
           label=t.gettext("resolved"))
    ax.set_xticks(list(places), labels, rotation=30, ha="right", fontsize=10)
    ax.set_ylim(0, max([*received, 1]) * 1.3)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(prop={"family": face}, frameon=False, loc="upper left", ncols=2)


def _request_rates(ax, figures: MonthFigures, t: Translator, face: str) -> None:
    _title(ax, t.gettext("Response, resolution and satisfaction"), face)
    labels = _month_labels(figures, t)
    places = list(range(len(labels)))
    for name, colour, rates in (
            (t.gettext("response rate"), COLOURS["main"], [f.response_rate for _, f in figures.requests]),
            (t.gettext("resolution rate"), COLOURS["good"], [f.resolution_rate for _, f in figures.requests]),
            (t.gettext("satisfaction"), COLOURS["line"], [f.satisfaction for _, f in figures.requests])):
        points = [(p, r * 100) for p, r in zip(places, rates, strict=True) if r is not None]
        if points:
            ax.plot([p for p, _ in points], [v for _, v in points], marker="o", color=colour, label=name)
    ax.set_ylim(0, 105)
    ax.set_xticks(places, labels, rotation=30, ha="right", fontsize=10)
    ax.set_yticks([0, 25, 50, 75, 100], [t.percent(v / 100) for v in (0, 25, 50, 75, 100)])
    this = figures.this_month
    note = t.gettext("Median time to resolve: %(hours)s h; overdue: %(overdue)s",
                     hours=t.number(round(this.median_hours, 1)) if this.median_hours is not None else "–",
                     overdue=t.number(this.overdue))
    ax.text(0.0, -0.32, note, transform=ax.transAxes, fontsize=12, family=face)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(prop={"family": face}, frameon=False, loc="lower left")


def _ideas(ax, figures: MonthFigures, t: Translator, face: str) -> None:
    _title(ax, t.gettext("Golden ideas by state"), face)
    labels = [t.gettext(IDEA_STATE_LABELS[s]) for s in IDEA_STATES]
    counts = [figures.ideas_by_state.get(s, 0) for s in IDEA_STATES]
    bars = ax.barh(labels[::-1], counts[::-1], color=COLOURS["main"])
    ax.bar_label(bars, labels=[t.number(c) for c in counts[::-1]], padding=3, family=face)
    ax.xaxis.get_major_locator().set_params(integer=True)
    if figures.top_idea is not None:
        text = figures.top_idea.text if len(figures.top_idea.text) <= 28 else figures.top_idea.text[:27] + "…"
        ax.text(0.0, -0.2, t.gettext("Most endorsed: #%(number)s %(text)s (%(count)s)",
                                     number=figures.top_idea.number, text=text,
                                     count=t.number(figures.top_idea.endorsements)),
                transform=ax.transAxes, fontsize=12, family=face)


def _votes(ax, figures: MonthFigures, t: Translator, face: str) -> None:
    _title(ax, t.gettext("Votes held and turnout"), face)
    if not figures.votes:
        _empty(ax, t.gettext("No vote closed this month"), face)
        return
    shown = figures.votes[-8:]
    labels = [f"#{v.number}" for v in shown]
    values = [(v.turnout or 0) * 100 for v in shown]
    colours = [COLOURS["main"] if not v.owner else COLOURS["good"] if v.passed else COLOURS["bad"]
               for v in shown]
    bars = ax.bar(labels, values, color=colours)
    ax.bar_label(bars, labels=[_pct(t, v.turnout) for v in shown], padding=3, family=face)
    ax.set_ylim(0, 115)
    ax.set_yticks([0, 50, 100], [t.percent(v / 100) for v in (0, 50, 100)])
    ax.text(0.0, -0.2, t.gettext("Owner votes: %(passed)s passed, %(failed)s failed",
                                 passed=t.number(figures.owner_passed),
                                 failed=t.number(figures.owner_failed)),
            transform=ax.transAxes, fontsize=12, family=face)


def _meetings(ax, figures: MonthFigures, t: Translator, face: str) -> None:
    _title(ax, t.gettext("Talks, reception days and action items"), face)
    labels = [t.gettext("talks"), t.gettext("reception days"), t.gettext("questions answered"),
              t.gettext("actions done"), t.gettext("actions open"), t.gettext("overdue")]
    values = [figures.talks, figures.receptions, figures.questions_answered, figures.actions_done,
              figures.actions_open, figures.actions_overdue]
    colours = [COLOURS["main"]] * 3 + [COLOURS["good"], COLOURS["muted"], COLOURS["bad"]]
    bars = ax.bar(labels, values, color=colours)
    ax.bar_label(bars, labels=[t.number(v) for v in values], padding=3, family=face)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=11)
    ax.yaxis.get_major_locator().set_params(integer=True)


def _rating(ax, figures: MonthFigures, t: Translator, face: str) -> None:
    _title(ax, t.gettext("Property rating"), face)
    rating = figures.rating
    if rating is None:
        _empty(ax, t.gettext("No rating yet"), face)
        return
    ax.barh([0], [rating.scale], color="#eef1f4", height=0.5)
    ax.barh([0], [rating.score], color=COLOURS["line"], height=0.5)
    ax.set_xlim(0, rating.scale)
    ax.set_yticks([])
    ax.set_xticks(range(rating.scale + 1), [t.number(n) for n in range(rating.scale + 1)])
    ax.text(0.5, 0.8, t.gettext("%(score)s of %(scale)s", score=t.number(round(rating.score, 1)),
                                scale=t.number(rating.scale)),
            ha="center", fontsize=26, family=face, transform=ax.transAxes)
    if rating.responses:
        ax.text(0.5, 0.12, t.ngettext("%(num)s rated.", "%(num)s rated.", rating.responses,
                                      num=t.number(rating.responses)),
                ha="center", fontsize=12, family=face, transform=ax.transAxes)


def _save(figures: MonthFigures, t: Translator, fmt: str) -> bytes:
    figure = _figure(figures, t)
    out = io.BytesIO()
    figure.savefig(out, format=fmt, dpi=DPI, facecolor="white", metadata=_metadata(fmt))
    return out.getvalue()


def _metadata(fmt: str) -> dict | None:
    return {"Software": None} if fmt == "png" else {"Creator": None} if fmt in ("pdf", "svg") else None


def render_png(figures: MonthFigures, t: Translator) -> bytes:
    """The report's photo: WIDTH × HEIGHT pixels."""
    return _save(figures, t, "png")


def render_svg(figures: MonthFigures, t: Translator) -> str:
    """The same charts as SVG (text drawn as paths), for a web page."""
    return _save(figures, t, "svg").decode()


def render_pdf(figures: MonthFigures, t: Translator) -> bytes:
    """The same charts as a PDF page, for printing."""
    return _save(figures, t, "pdf")


# -- a consultation's heat map ------------------------------------------------------------------

HEAT_ROWS = 40  # statements shown at most
HEAT_LABEL = 18  # characters of a row's label
HEAT_BAD = "#d9dde2"  # a group too small to show


def _short(label: str) -> str:
    return label if len(label) <= HEAT_LABEL else label[:HEAT_LABEL - 1] + "…"


def render_consultation_png(rows: Sequence[tuple[str, Sequence[float | None]]], columns: Sequence[str],
                            title: str, t: Translator) -> bytes:
    """A consultation's agreement as a heat map: one row per statement (its label, e.g. "#3 停车位…",
    shortened to HEAT_LABEL characters; the first HEAT_ROWS rows), one column per group ("全体",
    "6栋", "观点组A"), each cell the group's agreeing share from red (0) through light (50%) to
    green (1), written as a percent; None (a group too small) is a blank grey cell."""
    ensure_font()
    face = _face(t)
    shown = list(rows)[:HEAT_ROWS]
    height = max(480, 200 + 46 * len(shown))
    figure = Figure(figsize=(WIDTH / DPI, height / DPI), dpi=DPI, layout="constrained")
    figure.suptitle(title, fontsize=20, family=face, weight="bold")
    ax = figure.subplots()
    if not shown or not columns:
        _empty(ax, "–", face)
        return _png(figure)
    values = np.ma.masked_invalid(np.array(
        [[np.nan if v is None else float(v) for v in cells] for _, cells in shown], dtype=float))
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad=HEAT_BAD)
    image = ax.imshow(values, cmap=cmap, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    size = 13 if len(columns) <= 8 else 11 if len(columns) <= 12 else 9
    for (row, column), value in np.ndenumerate(values.filled(np.nan)):
        if not np.isnan(value):
            ax.text(column, row, _pct(t, value), ha="center", va="center", fontsize=size, family=face,
                    color="white" if value < 0.15 or value > 0.85 else "#1f2933")
    ax.set_xticks(range(len(columns)), list(columns), family=face, fontsize=13,
                  rotation=0 if len(columns) <= 8 else 30, ha="center" if len(columns) <= 8 else "left")
    ax.set_yticks(range(len(shown)), [_short(label) for label, _ in shown], family=face, fontsize=13)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([x - 0.5 for x in range(1, len(columns))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(shown))], minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    bar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02, ticks=[0, 0.25, 0.5, 0.75, 1])
    bar.ax.set_yticklabels([t.percent(v) for v in (0, 0.25, 0.5, 0.75, 1)], family=face)
    bar.outline.set_visible(False)
    return _png(figure)


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white", metadata=_metadata("png"))
    return out.getvalue()
