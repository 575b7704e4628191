"""The showcase (成果·学科·合作): record facts and the figures the discipline, collaboration and
institution pages read, kept up to date incrementally by the showcase stage.

- :mod:`hub.showcase.facts`: what one record contributes;
- :mod:`hub.showcase.contributions`: the units counted under each key of each figure (its table);
- :mod:`hub.showcase.units`: the contributions of records, researchers and works;
- :mod:`hub.showcase.aggregates`: the aggregate rows recomputed for some keys (or all);
- :mod:`hub.showcase.refresh`: the stage: facts of some records, and only the figures they touch;
- :mod:`hub.showcase.rebuild`: everything from scratch (the backfill, and the reference of the tests);
- :mod:`hub.showcase.figures`: what the pages and the API read.
"""

from hub.showcase.contributions import Contribution as Contribution  # registers its table with the models
