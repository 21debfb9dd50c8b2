"""FieldMap: contact fields case-insensitive, event data case-sensitive and overriding."""
import copy
import pickle

from templating.context import FieldMap


def make():
    return FieldMap.layered({"FIRSTNAME": "Olena", "PERSONAL.LOCATION": "Kyiv", "City": "Lviv"},
                            {"orderId": 7, "city": "Odesa"})


def test_contact_fields_resolve_in_any_case():
    m = make()
    for key in ("FIRSTNAME", "firstname", "FirstName"):
        assert m.get(key) == "Olena" and m[key] == "Olena" and key in m
    assert m.get("personal.location") == "Kyiv"


def test_event_params_are_case_sensitive():
    m = make()
    assert m.get("orderId") == 7
    assert m.get("ORDERID") is None and "orderid" not in m


def test_event_data_overrides_a_contact_field_in_every_spelling():
    m = make()
    assert m.get("city") == "Odesa" and m.get("CITY") == "Odesa" and m.get("City") == "Odesa"
    # the overridden contact field is gone from the entries; each name appears once
    assert list(m) == ["FIRSTNAME", "PERSONAL.LOCATION", "orderId", "city"]
    assert len(m) == 4


def test_later_layers_win_and_missing_keys_behave_like_a_map():
    m = FieldMap.layered({}, {"a": 1}, {"a": 2})
    assert m["a"] == 2 and m.get("zzz") is None and m.get("zzz", 5) == 5
    try:
        m["zzz"]
    except KeyError:
        pass
    else:
        raise AssertionError("missing key must raise KeyError")


def test_non_string_keys_do_not_break_lookup():
    m = FieldMap.layered({"A": 1}, {1: "one"})
    assert m.get(1) == "one" and m.get(2) is None and m.get(None) is None


def test_copies_keep_the_case_insensitive_lookup():
    m = make()
    for clone in (m.copy(), copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert isinstance(clone, FieldMap) and clone.get("firstname") == "Olena"
        assert clone == m


def test_it_is_a_dict_so_the_engine_treats_it_as_a_java_map():
    assert isinstance(make(), dict)
