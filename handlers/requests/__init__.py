"""Resident requests (诉求): reported privately, assigned to a role holder, handled against
per-category targets, confirmed and rated by the resident; escalation (吹哨) and monthly figures.

The reporter's name is shown to the group's conveners and the assignee only, and only in
private chats; the group sees a request (without a name) only when its reporter chose so.
"""

from handlers.requests.feature import register

__all__ = ["register"]
