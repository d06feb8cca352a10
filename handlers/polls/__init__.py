"""Polls, proposals, sign-up chains and owner votes: created by conveners, voted with buttons,
closed by the deadline or a convener, with reminders for those who have not voted."""

from handlers.polls.common import SCHEDULE_KIND
from handlers.polls.creating import Prepared, open_vote
from handlers.polls.feature import register
from handlers.polls.showing import _keyboard, _message_html

__all__ = ["SCHEDULE_KIND", "Prepared", "_keyboard", "_message_html", "open_vote", "register"]
