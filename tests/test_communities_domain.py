"""Where a vote is announced and reminded among a community's chats."""

from bot.domain.communities import announced_in, building_groups, reminded_in

CHATS = ((-1, "翠苑业主群", "main", ()), (-6, "6栋群", "building", ("6",)),
         (-7, "7栋群", "building", ("7", "8")), (-9, "工作群", "committee", ()))


def test_a_scoped_vote_is_announced_in_the_main_group_and_its_buildings_groups():
    assert building_groups(CHATS, ("6-2",)) == [-6]
    assert building_groups(CHATS, ("8", "6")) == [-6, -7]
    assert building_groups(CHATS, ()) == []  # everyone: no building in particular
    assert announced_in(CHATS, -1, ("6",)) == [-1, -6]
    assert announced_in(CHATS, -6, ("6",)) == [-6, -1]  # started in the building group: there first
    assert announced_in(CHATS, -1, ()) == [-1]
    assert announced_in(CHATS, -9, ("6",)) == [-9]  # the committee's stays with the committee


def test_who_has_not_voted_is_listed_in_the_buildings_groups_else_where_it_started():
    assert reminded_in(CHATS, -1, ("6", "7")) == [-6, -7]
    assert reminded_in(CHATS, -1, ("5",)) == [-1]  # building 5 has no group
    assert reminded_in(CHATS, -1, ()) == [-1]
    assert reminded_in(CHATS, -9, ("6",)) == [-9]
    assert reminded_in((), -3, ("6",)) == [-3]  # a chat on its own
