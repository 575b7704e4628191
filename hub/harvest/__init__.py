"""The harvest pipeline: plain, idempotent stage functions keyed by ids.

``gather`` walks a source through its platform plugin and hands every page to
``import_page``; the page's records and the run's checkpoint are committed together,
so a harvest killed at any moment resumes at its last page with nothing lost or
duplicated. Celery tasks (hub.tasks) are thin wrappers around these functions.
"""
