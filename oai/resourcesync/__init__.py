"""The hub as a ResourceSync source (ANSI/NISO Z39.99-2017, ResourceSync Framework 1.1).

A Source Description at ``/.well-known/resourcesync`` links one Capability List per set: the whole
hub, each member and each live repository (:mod:`.scopes`). Each Capability List links the set's
Resource List (:mod:`.lists`), Change List index (:mod:`.changes`) and, once built, Resource Dump
(:mod:`.dumps`). The resources are the records in their canonical metadata (oai_dc and the hub's
JSON, :mod:`.resources`) and the stored full texts; documents are written by :mod:`.documents`
and served by :mod:`.views`.
"""
