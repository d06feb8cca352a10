"""Evening talks and reception days: recurring events, reminders, RSVPs, agendas, the queue.

Callback data (all under 64 bytes):
  ev:s:<draft>  ev:x:<draft>           save / drop a previewed event
  ev:r:<event>:<minute>:<g|m|n>        RSVP going / maybe / not going to the occurrence whose
                                       original time is <minute> (minutes since the epoch, UTC)
  ev:c:<event>                         send the chat's calendar (.ics)
"""

from handlers.events.common import SCHEDULE_KIND
from handlers.events.feature import register

__all__ = ["SCHEDULE_KIND", "register"]
