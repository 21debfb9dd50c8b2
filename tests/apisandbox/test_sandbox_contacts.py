"""Add contacts (with mobile tokens), the unsubscribed list driving later sends, Add orders."""
import copy

import pytest

from sandboxkit import smartsend as _send

from templating.apisandbox.testing import running_sandbox

# The reference's "Uploading mobile token base" Add contacts body (docs.yespo.io, docs.esputnik.com)
SEED_CONTACTS = {
    "contacts": [{
        "firstName": "John", "lastName": "Smith",
        "channels": [
            {"type": "mobilepush", "value": "8900-7654-6456-9876-0011",
             "device": {"appId": "83b77a49-fc28-409b-aeaa-68c9d544ab9d",
                        "deviceModel": "iPhone 13", "os": "Android", "locale": "ua",
                        "appVersion": "4.1.6"}},
            {"type": "email", "value": "tgsh@example.com"}],
        "externalCustomerId": "6add3c31-3ec6-4f34-b20e-8c757fe65270",
        "fields": [{"id": 12345, "value": "writer"}, {"id": 12346, "value": "1814-03-09"}]}],
    "dedupeOn": "externalCustomerId",
    "contactFields": ["firstName", "lastName", "email", "mobilepush", "externalCustomerId"],
    "customFieldsIDs": [12345, 12346],
}

ORDER = {"externalOrderId": "100500", "externalCustomerId": "12345", "totalCost": 1000,
         "status": "INITIALIZED", "date": "2017-03-08T09:30:00+02:00",
         "email": "mail@example.com", "currency": "USD",
         "items": [{"externalItemId": "200600", "name": "Super Device", "quantity": 1,
                    "cost": 990, "url": "http://example.com/item/200600",
                    "imageUrl": "http://example.com/item/200600/image.png"}]}


@pytest.fixture(scope="module")
def sb():
    # a long status delay: statuses move only when a test advances the clock
    with running_sandbox(seed=5, status_delay=30) as handle:
        yield handle


def stored(client, what):
    r = client.get(f"/_sandbox/{what}")
    assert r.status_code == 200
    return r.json()


def final_statuses(client, sb, results):
    results = results if isinstance(results, list) else [results]   # one result: an object
    sb.advance(1000)
    ids = ",".join(x["requestId"] for x in results)
    got = client.get("/api/v1/message/status", params={"ids": ids}).json()["results"]
    got = got if isinstance(got, list) else [got]
    return {x["locator"]: x["status"] for x in got}


def test_seed_shaped_add_contacts_keeps_the_mobile_token_and_its_device(client):
    r = client.post("/api/v1/contacts", json=SEED_CONTACTS)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"asyncSessionId"}
    body = stored(client, "contacts")
    assert body["count"] == 1
    contact = body["contacts"][0]
    assert contact["id"] == 1 and contact["firstName"] == "John"
    push = [c for c in contact["channels"] if c["type"] == "mobilepush"]
    assert push == [SEED_CONTACTS["contacts"][0]["channels"][0]]
    assert contact["fields"] == [{"id": 12345, "value": "writer"},
                                 {"id": 12346, "value": "1814-03-09"}]


def test_same_external_customer_id_updates_only_listed_custom_fields_and_adds_channels(client):
    assert client.post("/api/v1/contacts", json=SEED_CONTACTS).status_code == 200
    again = copy.deepcopy(SEED_CONTACTS)
    person = again["contacts"][0]
    person["firstName"] = "Johnny"
    person["channels"] = [{"type": "mobilepush", "value": "token-2"}]
    person["fields"] = [{"id": 12345, "value": "poet"}, {"id": 12346, "value": "1900-01-01"}]
    again["customFieldsIDs"] = [12345]
    assert client.post("/api/v1/contacts", json=again).status_code == 200
    contacts = stored(client, "contacts")["contacts"]
    assert len(contacts) == 1                        # updated, not duplicated
    c = contacts[0]
    assert c["firstName"] == "Johnny"
    assert c["fields"] == [{"id": 12345, "value": "poet"}, {"id": 12346, "value": "1814-03-09"}]
    assert [ch["value"] for ch in c["channels"]] == ["8900-7654-6456-9876-0011",
                                                     "tgsh@example.com", "token-2"]


def test_dedupe_on_email_matches_the_address_in_any_case(client):
    one = {"contacts": [{"firstName": "A", "channels": [{"type": "email", "value": "Ann@Example.com"}]}],
           "dedupeOn": "email"}
    two = {"contacts": [{"firstName": "B", "channels": [{"type": "email", "value": "ann@example.COM"}]}],
           "dedupeOn": "email"}
    for body in (one, two):
        assert client.post("/api/v1/contacts", json=body).status_code == 200
    contacts = stored(client, "contacts")["contacts"]
    assert [c["firstName"] for c in contacts] == ["B"]


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b.pop("dedupeOn"), "dedupeOn: required, one of email"),
    (lambda b: b.update(dedupeOn="phone"), "dedupeOn: required, one of email, sms"),
    (lambda b: b.update(dedupeOn="fieldId"), "fieldId: an integer field id is required"),
    (lambda b: b.update(contacts=[]), "contacts: a non-empty list"),
    (lambda b: b.update(contacts=[b["contacts"][0]] * 3001), "contacts: 3001 contacts; at most 3000 per request"),
    (lambda b: b.update(groupNames="VIP"), "groupNames: expected a list of strings"),
    (lambda b: b.update(dedupOn="email"), "dedupOn: unknown field of the Add contacts body"),
    (lambda b: b["contacts"][0]["channels"][0].update(type="push"),
     "contacts[0].channels[0].type: unknown channel type 'push'"),
    (lambda b: b["contacts"][0]["channels"][1].update(value="not an email"),
     "contacts[0].channels[1].value: invalid email address"),
    (lambda b: b["contacts"][0]["channels"][0]["device"].update(model="x"),
     "contacts[0].channels[0].device.model: unknown device key"),
    (lambda b: b["contacts"][0]["channels"][1].update(device={"os": "iOS"}),
     "contacts[0].channels[1].device: \"device\" is an object, and only on a mobilepush"),
    (lambda b: b["contacts"][0]["fields"][0].update(id="12345"),
     "contacts[0].fields[0].id: expected an integer field id"),
    (lambda b: b["contacts"][0].update(firstname="J"),
     "contacts[0].firstname: unknown contact key; did you mean 'firstName'?"),
])
def test_bad_add_contacts_bodies_are_400_naming_the_field_and_store_nothing(client, mutate,
                                                                          message):
    body = copy.deepcopy(SEED_CONTACTS)
    mutate(body)
    r = client.post("/api/v1/contacts", json=body)
    assert r.status_code == 400
    assert r.json()["code"] == "INVALID_BODY"
    assert r.json()["message"].startswith(message), r.json()["message"]
    assert stored(client, "contacts") == {"count": 0, "contacts": []}


def test_unsubscribed_email_makes_later_email_sends_unsubscribed_and_remove_re_enables(client, sb):
    r = client.post("/api/v1/emails/unsubscribed/add", json={"emails": ["Ann@Example.com"]})
    assert (r.status_code, r.json()) == (200, {})
    assert stored(client, "unsubscribed") == {"count": 1, "emails": ["Ann@Example.com"]}
    # bob and carol are drawn from the seed; ann is forced by the list (any case)
    first = _send(client, 5, [{"locator": "ann@example.com"}, {"locator": "bob@example.com"},
                              {"locator": "carol@example.com"}])
    statuses = final_statuses(client, sb, first)
    assert statuses["ann@example.com"] == "UNSUBSCRIBED"
    # removing the address makes later sends draw their outcome again
    r = client.post("/api/v1/emails/unsubscribed/delete", json={"emails": ["ann@EXAMPLE.com"]})
    assert (r.status_code, r.json()) == (200, {})
    assert stored(client, "unsubscribed") == {"count": 0, "emails": []}
    later = [_send(client, 5, [{"locator": "ann@example.com"}]) for _ in range(6)]
    outcomes = {final_statuses(client, sb, res)["ann@example.com"] for res in later}
    assert outcomes - {"UNSUBSCRIBED"}, outcomes     # drawn again: not always unsubscribed
    # the earlier send keeps the status it had
    assert final_statuses(client, sb, first)["ann@example.com"] == "UNSUBSCRIBED"


def test_unsubscribe_is_per_email_other_channels_stay_active(client, sb):
    client.post("/api/v1/emails/unsubscribed/add", json={"emails": ["dan@example.com"]})
    results = _send(client, 5, [{"locator": "+380501234567"}], email=False)
    status = final_statuses(client, sb, results)["+380501234567"]
    assert status != "UNSUBSCRIBED"


def test_locator_naming_trick_still_forces_unsubscribed(client, sb):
    results = _send(client, 5, [{"locator": "unsubscribed+7@example.com"}])
    assert final_statuses(client, sb, results) == {"unsubscribed+7@example.com": "UNSUBSCRIBED"}


@pytest.mark.parametrize("body, message", [
    ({"emails": []}, "emails: a non-empty list"),
    ({"emails": ["nope"]}, "emails[0]: invalid email address"),
    ({"emails": [5]}, "emails[0]: expected an email address string"),
    ({"emails": ["a@example.com"], "email": "b@example.com"}, "email: the body is"),
    ({"mails": ["a@example.com"]}, "mails: the body is"),
])
def test_bad_unsubscribe_bodies_are_400_and_list_nothing(client, body, message):
    for path in ("add", "delete"):
        r = client.post(f"/api/v1/emails/unsubscribed/{path}", json=body)
        assert r.status_code == 400 and r.json()["message"].startswith(message)
    assert stored(client, "unsubscribed")["count"] == 0


def test_add_orders_stores_and_same_external_order_id_replaces(client):
    r = client.post("/api/v1/orders", json={"orders": [ORDER]})
    assert (r.status_code, r.json()) == (200, {})
    delivered = dict(ORDER, status="DELIVERED")
    assert client.post("/api/v1/orders", json={"orders": [delivered]}).status_code == 200
    assert stored(client, "orders") == {"count": 1, "orders": [
        {"eventTypeKey": "orderDELIVERED", "order": delivered}]}


@pytest.mark.parametrize("order, message", [
    ({k: v for k, v in ORDER.items() if k != "totalCost"},
     "orders[0]: an order needs \"totalCost\""),
    (dict(ORDER, status="SHIPPED"), "orders[0].status: unknown order status 'SHIPPED'"),
    (dict(ORDER, status="delivered"),
     "orders[0].status: unknown order status 'delivered'; did you mean 'DELIVERED'?"),
    ({k: v for k, v in ORDER.items() if k != "email"}, "orders[0]: an order needs \"email\" or"),
    (dict(ORDER, totalCost="1000"), "orders[0].totalCost: expected a number"),
    (dict(ORDER, items=[{"name": "x"}]), "orders[0].items[0]: an item needs \"externalItemId\""),
])
def test_bad_orders_are_400_naming_the_field_and_store_nothing(client, order, message):
    r = client.post("/api/v1/orders", json={"orders": [ORDER, order]})
    assert r.status_code == 400
    assert r.json()["message"].startswith(message.replace("orders[0]", "orders[1]"))
    assert stored(client, "orders")["count"] == 0


def test_more_than_1000_orders_is_400(client):
    r = client.post("/api/v1/orders", json={"orders": [ORDER] * 1001})
    assert r.status_code == 400
    assert r.json()["message"] == "orders: 1001 orders; at most 1000 per request"


def test_contact_routes_need_the_api_key_and_reset_forgets_them(client, sb):
    import httpx
    anonymous = httpx.post(f"{sb.base_url}/api/v1/orders", json={"orders": [ORDER]})
    assert anonymous.status_code == 401
    client.post("/api/v1/contacts", json=SEED_CONTACTS)
    client.post("/api/v1/emails/unsubscribed/add", json={"emails": ["x@example.com"]})
    client.post("/api/v1/orders", json={"orders": [ORDER]})
    sb.reset()
    assert [stored(client, w)["count"] for w in ("contacts", "unsubscribed", "orders")] == [0, 0, 0]
