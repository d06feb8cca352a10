from bot.domain.roles import ROLES, is_convener, leads_scope, normalize_building, parse_chat_role, parse_role


def test_roles_parse_in_english_and_both_scripts():
    assert parse_role("convener") == "convener"
    assert parse_role("Building_Lead") == "building_lead"
    assert parse_role("楼长") == parse_role("樓長") == "building_lead"
    assert parse_role("物业") == parse_role("物業") == "property_manager"
    assert parse_role("业委会") == parse_role("業委會") == "committee"
    assert parse_role("网格员") == parse_role("網格員") == "grid_worker"
    assert parse_role("副召集人") == "deputy"
    assert parse_role("mayor") is None
    assert all(parse_role(role) == role for role in ROLES)


def test_who_convenes():
    assert is_convener(True, [])
    assert is_convener(False, ["deputy"])
    assert is_convener(False, ["convener", "committee"])
    assert not is_convener(False, ["building_lead", "property_manager"])


def test_building_labels():
    assert normalize_building("6栋") == normalize_building("6 棟") == normalize_building("6") == "6"
    assert normalize_building("6号楼") == "6"
    assert normalize_building("b6") == "B6"


def test_a_building_lead_manages_votes_within_their_buildings_only():
    assert leads_scope(["6"], ["6"]) and leads_scope(["6"], ["6-2"]) and leads_scope(["6", "7"], ["6", "7-1"])
    assert not leads_scope(["6"], ["7"]) and not leads_scope(["6"], ["6", "7"])
    assert not leads_scope(["6"], [])  # the whole community is not one building's
    assert not leads_scope([], ["6"])


def test_what_a_group_is_in_its_community_parses_in_both_scripts():
    assert parse_chat_role("building") == parse_chat_role("楼栋群") == parse_chat_role("樓棟") == "building"
    assert parse_chat_role("Committee") == parse_chat_role("工作群") == parse_chat_role("議事") \
        == parse_chat_role("業委會") == "committee"
    assert parse_chat_role("main") is None and parse_chat_role("ABCD2345") is None
