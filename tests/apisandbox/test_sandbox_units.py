"""Unit checks of the pure parts: Basic auth parsing, status plans, fault draws."""
import base64

import pytest

from templating.apisandbox.auth import basic_header, is_authorized, password_from_header
from templating.apisandbox.faults import FaultInjector
from templating.apisandbox.settings import Faults, SandboxSettings
from templating.apisandbox.statuses import final_statuses, flags, plan_for
from templating.errors import UsageError


def test_basic_auth_password_only_matters():
    assert is_authorized(basic_header("k3y", user="anyone"), "k3y")
    assert is_authorized("basic " + base64.b64encode(b":k3y").decode(), "k3y")
    assert is_authorized(basic_header("pa:ss"), "pa:ss")          # colons after the first
    assert not is_authorized(basic_header("k3y"), "other")
    for bad in [None, "", "Basic", "Basic !!!", "Bearer k3y",
                "Basic " + base64.b64encode(b"no-colon").decode(),
                "Basic " + base64.b64encode(b"\xff:\xfe").decode()]:
        assert password_from_header(bad) is None, bad
        assert not is_authorized(bad, "k3y")


@pytest.mark.parametrize("channel", ["email", "sms", "viber"])
def test_plans_are_reproducible_and_well_formed(channel):
    plans = [plan_for(3, seq, channel) for seq in range(1, 400)]
    assert plans == [plan_for(3, seq, channel) for seq in range(1, 400)]
    assert plans != [plan_for(4, seq, channel) for seq in range(1, 400)]
    assert {p.final for p in plans} == set(final_statuses(channel))   # every outcome occurs
    for p in plans:
        offsets = [o for _, o in p.steps]
        assert p.steps[0] == ("IN_QUEUE", 0.0)
        assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
        assert p.status_at(-1) == "IN_QUEUE" and p.status_at(10 ** 6) == p.final


def test_forced_outcomes_and_flags():
    assert plan_for(0, 1, "email", "Blacklisted+x@example.com").final == "BLACKLISTED"
    assert plan_for(0, 1, "email", "ann@example.com", force="ERROR").final == "ERROR"
    assert flags("IN_QUEUE") == ("false", "false")
    assert flags("READ") == ("false", "true")
    assert flags("EXPIRED") == ("true", "false")


def test_fault_draws_follow_the_rates():
    inj = FaultInjector(Faults(fail_rate=0.2, throttle_rate=0.3, drop_rate=0.1), seed=1)
    actions = [inj.decide().action for _ in range(5000)]
    share = {a: actions.count(a) / len(actions) for a in ("fail", "throttle", "drop", "pass")}
    assert abs(share["fail"] - 0.2) < 0.03 and abs(share["throttle"] - 0.3) < 0.03
    assert abs(share["drop"] - 0.1) < 0.03 and abs(share["pass"] - 0.4) < 0.03
    assert FaultInjector(Faults(), seed=1).decide().action == "pass"


def test_settings_refuse_bad_values_and_hide_the_key():
    settings = SandboxSettings(api_key="very-secret")
    assert "very-secret" not in repr(settings)
    with pytest.raises(UsageError):
        SandboxSettings(api_key="")
    with pytest.raises(UsageError):
        Faults(drop_rate=-0.1)
    with pytest.raises(UsageError):
        SandboxSettings(api_key="k", status_delay=-1)


def test_ipv6_hosts_get_brackets_in_the_url():
    from templating.apisandbox import SandboxSettings
    from templating.apisandbox.server import BackgroundServer
    try:
        server = BackgroundServer(SandboxSettings(api_key="k"), host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        assert server.base_url == f"http://[::1]:{server.port}"
    finally:
        server._sock.close()
        server.app.sandbox.close()
