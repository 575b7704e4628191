"""Benchmark of the oai_dc crosswalk: prints microseconds per record on the test fixtures.

Run ``python bench/bench_crosswalk.py [N]``; N (default 2000) is the number of passes over the
sample. XML parsing is not timed: the harvester parses once and hands each ``oai_dc:dc``
element to the crosswalk.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

from lxml import etree

from hub.normalise.oai_dc import OAI_DC_TAG, crosswalk_oai_dc

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "normalise"


def sample() -> list[etree._Element]:
    """Every oai_dc element of the crosswalk fixtures."""
    elements = []
    for path in sorted(FIXTURES.glob("*.xml")):
        elements.extend(etree.parse(str(path)).iter(OAI_DC_TAG))
    return elements


def main() -> None:
    """Time the crosswalk over the sample and print the figures (best of 5 runs: the machine is shared)."""
    passes = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    elements = sample()
    for element in elements:  # warm the caches, as a long harvest does
        crosswalk_oai_dc(element)
    count = passes * len(elements)
    elapsed = min(
        timeit.timeit(lambda: [crosswalk_oai_dc(element) for element in elements], number=passes)
        for _ in range(5)
    )
    print(f"{len(elements)} records x {passes} passes: {elapsed / count * 1e6:.1f} µs/record, "
          f"{count / elapsed:,.0f} records/s")
    for element in elements:
        per = min(timeit.repeat(lambda e=element: crosswalk_oai_dc(e), number=200, repeat=5)) / 200 * 1e6
        title = crosswalk_oai_dc(element).title[:50]
        print(f"  {per:7.1f} µs  {title}")


if __name__ == "__main__":
    main()
