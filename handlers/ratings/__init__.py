"""Rating the property service (物业服务评价): a quarterly survey per community, rated privately with
buttons, closed with the result, the red list and the honour list posted in the group."""

from handlers.ratings.feature import register

__all__ = ["register"]
