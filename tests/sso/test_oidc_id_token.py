"""The ID token's checks, with a key set made here (joserfc, Authlib's JOSE library): a good token passes;
a wrong audience, another issuer, an expired token, a bad signature, a wrong nonce, ``alg: none`` and an
HMAC token keyed with the client secret (unless allowed) are each refused with their reason."""

from __future__ import annotations

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from hub.accounts.oidc import OidcError, OidcFailure, verify_id_token

ISSUER = "https://idp.univ-a.edu.cn/realms/univ-a"
CLIENT = "chair-hub"
SECRET = "univ-a-test-secret-long-enough-for-hs256"
NONCE = "the-nonce"


@pytest.fixture(scope="module")
def key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})


@pytest.fixture(scope="module")
def jwks(key) -> dict:
    return KeySet([key]).as_dict(private=False)


def claims(**changes) -> dict:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": CLIENT, "sub": "sub-alice", "iat": now, "exp": now + 300, "nonce": NONCE,
            "preferred_username": "alice"}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(key, payload: dict, alg: str = "RS256", kid: str = "k1") -> str:
    return jwt.encode({"alg": alg, "kid": kid}, payload, key)


def verify(token: str, jwks: dict, **options):
    settings = {"keys": jwks, "issuer": ISSUER, "client_id": CLIENT, "nonce": NONCE, "leeway": 120,
                "client_secret": SECRET}
    settings.update(options)
    return verify_id_token(token, **settings)


def refused(token: str, jwks: dict, reason: str, **options) -> OidcError:
    with pytest.raises(OidcError, match=reason) as caught:
        verify(token, jwks, **options)
    return caught.value


def test_a_good_token_gives_its_claims(key, jwks):
    found = verify(sign(key, claims()), jwks)
    assert found["sub"] == "sub-alice" and found["preferred_username"] == "alice"


def test_wrong_audience(key, jwks):
    error = refused(sign(key, claims(aud="another-client")), jwks, "audience")
    assert error.kind == OidcFailure.ID_TOKEN


def test_several_audiences_need_this_hub_as_authorised_party(key, jwks):
    assert verify(sign(key, claims(aud=[CLIENT, "other"], azp=CLIENT)), jwks)["sub"] == "sub-alice"
    refused(sign(key, claims(aud=[CLIENT, "other"], azp="other")), jwks, "authorised party")


def test_another_issuer(key, jwks):
    refused(sign(key, claims(iss="https://idp.univ-b.edu.cn/realms/univ-b")), jwks, "issuer")


def test_expired_beyond_the_clock_skew(key, jwks):
    now = int(time.time())
    refused(sign(key, claims(iat=now - 1000, exp=now - 121)), jwks, "expired")
    assert verify(sign(key, claims(iat=now - 1000, exp=now - 100)), jwks)  # within SSO_CLOCK_SKEW


def test_issued_in_the_future_beyond_the_clock_skew(key, jwks):
    now = int(time.time())
    refused(sign(key, claims(iat=now + 600, exp=now + 900)), jwks, "future")
    assert verify(sign(key, claims(iat=now + 60, exp=now + 900)), jwks)


def test_missing_times_or_subject(key, jwks):
    refused(sign(key, claims(exp=None)), jwks, "no exp")
    refused(sign(key, claims(sub=None)), jwks, "no subject")


def test_signed_by_another_key(key, jwks):
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    refused(sign(other, claims()), jwks, "signature")


def test_tampered_payload(key, jwks):
    head, _body, signature = sign(key, claims()).split(".")
    forged = base64.urlsafe_b64encode(json.dumps(claims(sub="sub-root")).encode()).rstrip(b"=").decode()
    refused(f"{head}.{forged}.{signature}", jwks, "signature")


def test_wrong_nonce(key, jwks):
    refused(sign(key, claims(nonce="another-attempt")), jwks, "nonce")
    refused(sign(key, claims(nonce=None)), jwks, "nonce")


def test_alg_none_is_refused(jwks):
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    unsigned = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims())}."
    error = refused(unsigned, jwks, "algorithm 'none'")
    assert error.kind == OidcFailure.ID_TOKEN


def test_hmac_with_the_client_secret_only_when_configured(jwks):
    token = jwt.encode({"alg": "HS256"}, claims(), OctKey.import_key(SECRET))
    refused(token, jwks, "algorithm 'HS256'")
    assert verify(token, jwks, allow_hs256=True)["sub"] == "sub-alice"
    forged = jwt.encode({"alg": "HS256"}, claims(), OctKey.import_key("guessed-secret-guessed-secret-guessed"))
    refused(forged, jwks, "signature", allow_hs256=True)


def test_not_a_jwt(jwks):
    refused("not-a-token", jwks, "not a signed JWT")
    refused("a.b.c", jwks, "not a JWT")


def test_an_access_token_hash_that_does_not_match_is_refused_by_openid_connect_cores_rules(key, jwks):
    from authlib.oidc.core.util import create_half_hash

    good = create_half_hash("the-access-token", "RS256").decode()  # base64url of the hash's left half
    assert verify(sign(key, claims(at_hash=good)), jwks, access_token="the-access-token")["sub"] == "sub-alice"
    error = refused(sign(key, claims(at_hash=good)), jwks, "OpenID Connect Core", access_token="another-token")
    assert error.kind is OidcFailure.ID_TOKEN and "at_hash" in str(error)


def test_an_auth_time_that_is_not_a_time_is_refused(key, jwks):
    refused(sign(key, claims(auth_time="yesterday")), jwks, "auth_time")
