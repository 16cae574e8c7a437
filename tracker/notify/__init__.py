"""Notifications (提醒 / 催办 / 督办): the outbox, its channels, messages and read receipts."""
