"""Fixtures of the sign-in tests: the real Keycloak that scripts/services starts.

``scripts/test`` starts every service, Keycloak included, and exports ``CHAIR_TEST_KEYCLOAK_URL`` (from
``scripts/services env``). The session fixture ``keycloak`` (a :class:`tests.sso.keycloak.Keycloak`) never
skips silently:

- the URL is set: Keycloak must answer with both test realms, or every test that needs it fails;
- the URL is unset and ``CHAIR_TEST_NO_SERVICES`` is set (the embedded-defaults pass): those tests are
  skipped, and the skip says why;
- the URL is unset otherwise: those tests fail, saying how to start Keycloak.

Tests of this folder that do not ask for ``keycloak`` run without it.
"""

from __future__ import annotations

import os

import pytest
import requests

from tests.sso.keycloak import Keycloak

KEYCLOAK_URL = os.environ.get("CHAIR_TEST_KEYCLOAK_URL", "").rstrip("/")
NO_SERVICES = bool(os.environ.get("CHAIR_TEST_NO_SERVICES"))
HOW_TO_START = 'scripts/services up keycloak && eval "$(scripts/services env)"'


def pytest_report_header(config):
    if KEYCLOAK_URL:
        return f"tests/sso: Keycloak at {KEYCLOAK_URL}"
    if NO_SERVICES:
        return "tests/sso: CHAIR_TEST_KEYCLOAK_URL unset and CHAIR_TEST_NO_SERVICES set: Keycloak tests skipped"
    return "tests/sso: CHAIR_TEST_KEYCLOAK_URL unset: Keycloak tests will fail (scripts/test starts it)"


def keycloak_problem(keycloak: Keycloak) -> str | None:
    """Why the Keycloak at ``keycloak.base_url`` is not usable by the tests, or None when both realms answer."""
    for url in (keycloak.oidc_discovery_url, keycloak.saml_metadata_url):
        try:
            response = requests.get(url, timeout=20)
        except requests.RequestException as error:
            return f"{url} does not answer: {error}"
        if response.status_code != 200:
            return f"{url} answered HTTP {response.status_code} (realm missing?)"
    return None


@pytest.fixture(scope="session")
def keycloak() -> Keycloak:
    """The running test Keycloak (realms univ-a over OIDC and univ-b over SAML)."""
    if not KEYCLOAK_URL:
        if NO_SERVICES:
            pytest.skip("needs Keycloak: CHAIR_TEST_KEYCLOAK_URL is unset (CHAIR_TEST_NO_SERVICES run)")
        pytest.fail(f"needs Keycloak: CHAIR_TEST_KEYCLOAK_URL is unset; start it with {HOW_TO_START}")
    found = Keycloak(KEYCLOAK_URL)
    problem = keycloak_problem(found)
    if problem:
        pytest.fail(f"Keycloak at {KEYCLOAK_URL} is not usable: {problem} (scripts/services logs keycloak)")
    return found
