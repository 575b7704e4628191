"""The hub's OAI-PMH 2.0 provider: the ``/oai`` endpoint aggregators harvest.

One module per concern, after invenio-oaiserver: ``arguments`` (request validation),
``errors`` (protocol error codes), ``tokens`` (signed stateless resumption tokens),
``query`` (keyset paging over the Record table), ``formats`` (metadata formats and their
registry), ``sets`` (set hierarchy), ``provenance`` (``<about>`` blocks), ``response``
(the envelope, streamed), ``verbs`` (the six verbs) and ``views`` (the Flask blueprint).
"""
