"""Notices (公示) with read receipts: drafted with a preview, posted with their photos or PDF
(pinned if asked), read by residents, changed with every version kept, listed.

Callback data (all under 64 bytes):
  nt:a:<notice>        the author's next photos or PDF in the chat attach to the draft
  nt:p:<notice>:<0|1>  post the draft (1: and pin it)
  nt:x:<notice>        cancel the draft
  nt:r:<notice>        a resident has read it, on the card
  nt:v:<notice>        the earlier versions, privately
  nt:l:<page>          a page of /notices
"""

from handlers.notices.feature import register

__all__ = ["register"]
