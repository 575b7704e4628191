"""Works: source records grouped as copies and versions of one work, by evidence.

Modules: features (what is compared, blocking keys), match (the pairwise rule), cluster (blocking,
constrained union-find), store and grouping (database, incremental and full runs), decisions
(split/join), api (what the portal, API and OAI-PMH provider read), followup (after a harvest).
"""
