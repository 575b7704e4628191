"""The pipeline after gather: the stage graph, the stages over ids, the dispatcher, the harvest entry point.

- :mod:`hub.pipeline.graph` — the stage graph, declared once (what follows what, on which ids);
- :mod:`hub.pipeline.report` — the typed report every stage returns;
- :mod:`hub.pipeline.stages` — the files, extract, works and index stages as plain functions;
- :mod:`hub.pipeline.index` — the index stage's body, rebuild and drift check;
- :mod:`hub.pipeline.dispatch` — runs or queues what a report triggers (the only module that asks
  whether a broker exists), and starts long work in the background;
- :mod:`hub.pipeline.harvest` — ``harvest(hub, repository_id, full)``, the one harvest with follow-ups.
"""
