"""What the idea handlers share: refusals."""

from __future__ import annotations

from bot.domain.ideas import IdeaError
from handlers.base import Refused, Turn


def _error(turn: Turn, problem: IdeaError, markup=None) -> Refused:
    return Refused(turn.t.gettext(problem.message, **problem.params), markup)


def _stale(turn: Turn) -> Refused:
    return Refused(turn.t.gettext("This button is no longer valid."))
