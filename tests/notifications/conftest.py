import pytest

from app.audit import Actor
from app.notifications.consent import record_consent
from tests.notifications.fakes import FakePushService, FakeSmsGateway, FakeSmtp
from tests.tracking.conftest import delivery  # noqa: F401 - the same small delivery world
from tests.tracking.scenario import configure


@pytest.fixture
def no_quiet_hours(monkeypatch):
    configure(monkeypatch, quiet_hours="")


@pytest.fixture
def smtp(monkeypatch, no_quiet_hours):
    with FakeSmtp() as server:
        configure(monkeypatch, smtp_url=server.url, mail_from="Waybill <hello@waybill.test>")
        yield server


@pytest.fixture
def sms_gateway(monkeypatch, no_quiet_hours):
    with FakeSmsGateway() as gateway:
        configure(monkeypatch, sms_gateway_url=f"{gateway.url}/send", sms_gateway_user="acme",
                  sms_gateway_password="s3cret", sms_callback_secret="callback-secret-123")
        yield gateway


@pytest.fixture
def push_service(no_quiet_hours):
    with FakePushService() as service:
        yield service


async def consent(client_id: int, *channels: str, granted: bool = True, how: str = "signed the delivery contract"):
    for channel in channels:
        await record_consent(Actor.system(), client_id, channel, granted, how)
