"""Telling clients (and staff) about their deliveries: channels (Web Push, SMS gateway, e-mail), message
templates, consent, quiet hours, the triggers tied to order statuses, and the per-client archive of messages."""
