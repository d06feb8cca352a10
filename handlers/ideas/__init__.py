"""Golden ideas (金点子) and micro-wishes: submitted, endorsed, followed to a decision.

Callback data (all under 64 bytes):
  id:pc:<draft>:<chat>:<0|1>  a private draft goes to a group, named (0) or anonymous (1)
  id:de:<draft>:<idea>        endorse the similar idea instead of posting the draft
  id:dp:<draft>               post the draft anyway
  id:e:<idea>  id:v:<idea>    endorse / volunteer (toggles), on the idea's card
  id:m:<idea>                 a convener opens the manage buttons
  id:s:<idea>:<state>         a convener moves the idea to a state
  id:p:<idea>  id:a:<idea>    a convener puts it to the vote / on the next meeting's agenda
  id:l:<filter>:<kind>:<page> a page of /ideas
"""

from handlers.ideas.feature import register

__all__ = ["register"]
