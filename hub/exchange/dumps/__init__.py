"""Bulk dumps for people who want the data, not the protocol.

A dump is a gzip-compressed JSON-lines file, one per member and one for the whole hub; each line
is one record exactly as the JSON API shows it (hub.records_json) with its OAI identifier,
tombstones included and marked ``deleted``. Dumps are built incrementally from parts:

- :mod:`hub.exchange.dumps.lines`    one record as one JSON line;
- :mod:`hub.exchange.dumps.parts`    the parts (one gzip member per repository and block of record
                                     ids), their content digests and their writing;
- :mod:`hub.exchange.dumps.manifest` the stored description of a dump (parts, size, count, sha-256);
- :mod:`hub.exchange.dumps.build`    ``build_dumps``: plan, write the changed parts only, describe, tidy.

Everything lives in the object store under ``dumps/`` (storage.base: a local directory or S3).
"""
