"""Fixtures shared by the security tests."""

from __future__ import annotations

# The admin tests' fixtures: sample repositories on loopback, two members (donghai, xiling) with users of
# every role (root, staff, dh-admin, xl-admin), and test clients signed in through the form.
from tests.admin.conftest import network, signed_in, site  # noqa: F401
