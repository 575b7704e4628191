"""Fictional member repositories served on loopback (DSpace and EPrints styles, with fault injection).

Used by `chair demo`, `chair sample-repos`, the tests and the benchmarks. Records are generated from
(seed, index) on demand, so a repository can hold a million records in no memory at all.

    from hub.samples import demo_repositories, serve
    server, thread, base_url = serve(demo_repositories())
"""

from hub.samples.catalog import (
    RepositoryStyle,
    SampleInstitution,
    SampleRepository,
    demo_repositories,
    find_repository,
)
from hub.samples.faults import Fault, FaultKind, attach_faults, parse_fault
from hub.samples.records import SampleRecord, generate_record
from hub.samples.server import main, make_app, run_forever, serve

__all__ = [
    "Fault", "FaultKind", "RepositoryStyle", "SampleInstitution", "SampleRecord", "SampleRepository",
    "attach_faults", "demo_repositories", "find_repository", "generate_record", "main", "make_app",
    "parse_fault", "run_forever", "serve",
]
