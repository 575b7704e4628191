"""Data exchange: the hub's data given out in the standard ways, and changes announced as they happen.

- :mod:`hub.exchange.dumps`     bulk JSON-lines dumps (gzip) per member and for the whole hub;
- :mod:`hub.exchange.webhooks`  the change feed (signed webhooks).
"""
