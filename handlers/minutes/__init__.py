"""Minutes taken live in the chat, and the action items they create, followed until done.

Entries are stored as recorded (minute_entries); the minutes are rendered from that log with
the chat's locale and the template of the meeting's kind (minutes_<kind>.html.j2 / .md.j2),
which a deployer may override in the template directory.
"""

from handlers.minutes.feature import register
from handlers.minutes.rendering import render

__all__ = ["register", "render"]
