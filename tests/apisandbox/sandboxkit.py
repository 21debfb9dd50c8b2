"""Helpers shared by the sandbox tests."""

def smartsend(client, message_id, recipients, **extra):
    """POST a smartsend request that must succeed; its `results`."""
    r = client.post(f"/api/v1/message/{message_id}/smartsend",
                    json={"recipients": recipients, **extra})
    assert r.status_code == 200, r.text
    return r.json()["results"]
