"""The full-text stages: find a record's open files, download them (files), extract their text (extract).

- :mod:`hub.fulltext.fetch` downloads one link into the object store (polite, bounded, resumable);
- :mod:`hub.fulltext.extract` extracts one stored file's text (bounded, quarantined after repeated failures);
- :mod:`hub.fulltext.pipeline` ties them to records, the task queues and the harvest follow-ups;
- :mod:`hub.fulltext.objects` serves and deletes stored objects for the web layer and admin paths.
"""
