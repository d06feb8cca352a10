"""`yishi verify`: recount an owner vote from its result bulletin (docs/bulletin.md), and check
the ballot log's hash chain in the bot's database.

Written from the specification alone, on purpose sharing no code with the bot's counting
(bot/domain/owner_vote.py): a mistake in either shows up as a difference. Standard library only.

- ``recount``: the counting rules (PRC Civil Code art. 278) in whole hundredths of a m², and the
  comparison of what a bulletin published with the recount;
- ``chain``: the ballot log's hash chain, read from the database read-only;
- ``bulletin``: reading the file, its sha256, ``verify()`` and the plain-English report.
"""

from bot.verify.bulletin import Report, describe, verify
from bot.verify.recount import Count, Malformed, Recount, Tally, Unreadable

__all__ = ["Count", "Malformed", "Recount", "Report", "Tally", "Unreadable", "describe", "verify"]
