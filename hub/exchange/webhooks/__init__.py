"""The change feed: signed webhooks telling subscribers that a member's records changed or that a
harvest failed.

Plain registration, not WebSub: a member administrator (their member) or a hub administrator (one
member or all) registers a receiver URL in the admin area and gets a secret, shown once. Events are
made where a harvest ends (:mod:`hub.exchange.webhooks.events`, a follow-up of
:mod:`hub.pipeline.harvest`), stored as deliveries, signed (:mod:`hub.exchange.webhooks.signing`),
sent and retried with backoff (:mod:`hub.exchange.webhooks.deliveries`); every attempt is kept in the
delivery log the subscriber reads in the admin area (:mod:`hub.web.admin.webhooks`).
"""
