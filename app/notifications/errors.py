"""How a channel says a message did not go: for good (archived as failed) or for now (retried with back-off)."""


class PermanentFailure(Exception):
    """The recipient or the message is refused; trying again would not help."""


class TemporaryFailure(Exception):
    """The service is away or busy; the worker tries again later."""


class NotConfigured(PermanentFailure):
    """The channel has no server configured."""


class SubscriptionGone(PermanentFailure):
    """The push service answered 404/410: the browser unsubscribed; the subscription is deleted."""
