"""CHAIR Hub: the hub of an institutional-repository network.

The package holds the core: configuration, models, the plugin manager, the harvest
pipeline, tasks, search, the web application and the CLI. Platform plugins live in
``plugins/``, object stores and text extractors in ``storage/``, OAI-PMH in ``oai/``.
"""

__version__ = "0.1.0"
