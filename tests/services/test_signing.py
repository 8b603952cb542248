"""services.signing: the registry's Ed25519 key, made once and kept in a file, and signatures of
verification receipts that anyone can check with the public key."""
import base64
import os
import stat
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from registry.services import signing

RECEIPT = {"query": {"licence": "KH-S-0001"}, "status": "licensed", "verified": True,
           "agency": {"name": {"km": "ភ្នាក់ងារ មេគង្គ", "my": "မဲခေါင် အေဂျင်စီ"}},
           "checked_at": "2026-11-28T09:00:00Z"}


def pem_of(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_raw(key):
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)


def test_the_key_is_made_once_readable_by_its_owner_only(app, tmp_path):
    path = tmp_path / "keys" / "new" / "signing.pem"  # the folders do not exist yet
    app.config["REGISTRY_SIGNING_KEY_FILE"] = str(path)
    with app.app_context():
        key = signing.private_key()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_bytes() == pem_of(key)
        signing._load_key.cache_clear()  # as a restarted worker: the same key from the file
        assert public_raw(signing.private_key()) == public_raw(key)


def test_a_key_written_by_another_worker_meanwhile_is_the_one_used(app, tmp_path):
    """Two workers start together: both find no key file; the other one links its key into
    place first, so this one's link fails and it reads the other's key instead of its own."""
    path = tmp_path / "signing.pem"
    theirs = Ed25519PrivateKey.generate()
    load_key = signing._load_key.__wrapped__.__code__

    def other_worker(frame, event, arg):
        # Called before each C function: when this worker is about to link its key into
        # place, the other worker's key lands first.
        if event == "c_call" and arg is os.link and frame.f_code is load_key \
                and not path.exists():
            path.write_bytes(pem_of(theirs))

    sys.setprofile(other_worker)
    try:
        key = signing._load_key(str(path))
    finally:
        sys.setprofile(None)
    assert public_raw(key) == public_raw(theirs)
    assert path.read_bytes() == pem_of(theirs)  # not overwritten
    app.config["REGISTRY_SIGNING_KEY_FILE"] = str(path)
    with app.app_context():
        theirs.public_key().verify(base64.b64decode(signing.sign(RECEIPT)),
                                   signing.canonical(RECEIPT))


def test_the_public_key_is_published_as_pem_and_checks_signatures(ctx):
    pem = signing.public_key_pem()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert pem.rstrip().endswith("-----END PUBLIC KEY-----")
    public = serialization.load_pem_public_key(pem.encode())
    # What someone offline does with a receipt: the canonical bytes, the published key.
    public.verify(base64.b64decode(signing.sign(RECEIPT)), signing.canonical(RECEIPT))


def test_the_signed_bytes_are_sorted_compact_utf8(ctx):
    canonical = signing.canonical({"b": "ភ្នាក់ងារ", "a": [1, "မဲခေါင်"]})
    assert canonical == '{"a":[1,"မဲခေါင်"],"b":"ភ្នាក់ងារ"}'.encode("utf-8")
    # Key order does not change the signature's validity.
    reordered = dict(reversed(list(RECEIPT.items())))
    assert signing.check(reordered, signing.sign(RECEIPT))


def test_a_good_signature_checks(ctx):
    assert signing.check(RECEIPT, signing.sign(RECEIPT))


def other_key_signature(payload):
    return base64.b64encode(Ed25519PrivateKey.generate().sign(signing.canonical(payload)))


def flip_a_byte(signature):
    raw = bytearray(base64.b64decode(signature))
    raw[10] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


BAD = [
    ("another payload", lambda sig: (
        {**RECEIPT, "agency": {"name": {"km": "ភ្នាក់ងារ ក្លែងក្លាយ"}}}, sig)),
    ("another status", lambda sig: ({**RECEIPT, "status": "revoked"}, sig)),
    ("one bit changed", lambda sig: (RECEIPT, flip_a_byte(sig))),
    ("cut short", lambda sig: (RECEIPT, sig[:40])),
    ("not base64", lambda sig: (RECEIPT, "ហត្ថលេខា!")),
    ("bad padding", lambda sig: (RECEIPT, sig[:-2] + "=")),
    ("empty", lambda sig: (RECEIPT, "")),
    ("another key", lambda sig: (RECEIPT, other_key_signature(RECEIPT))),
]


@pytest.mark.parametrize("damage", [case[1] for case in BAD], ids=[case[0] for case in BAD])
def test_a_bad_or_garbled_signature_does_not_check(ctx, damage):
    payload, signature = damage(signing.sign(RECEIPT))
    assert signing.check(payload, signature) is False


def test_a_signature_of_another_registrys_key_file_does_not_check(app, tmp_path):
    with app.app_context():
        signature = signing.sign(RECEIPT)
    app.config["REGISTRY_SIGNING_KEY_FILE"] = str(tmp_path / "another-registry.pem")
    with app.app_context():
        assert not signing.check(RECEIPT, signature)
        assert signing.check(RECEIPT, signing.sign(RECEIPT))


# -- receipts as data (issue 15) -----------------------------------------------------------------

def test_the_canonical_form_is_rfc_8785():
    # RFC 8785 section 3.2.2, its own example, parsed as JSON.
    import json
    example = json.loads('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
                         ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
                         ' "literals": [null, true, false]}')
    assert signing.canonical(example) == (
        b'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        b'"string":"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    # Members sorted by UTF-16 code units (section 3.2.3): an astral key (a surrogate pair,
    # D83D DE00) before U+FB33, where json.dumps, by code points, puts it after.
    assert signing.canonical({"\ufb33": 2, "\U0001f600": 1}) == \
        '{"\U0001f600":1,"\ufb33":2}'.encode()
    # Receipts signed before it stay checkable: their payloads read the same both ways.
    assert signing.canonical(RECEIPT) == json.dumps(
        RECEIPT, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53 + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


@given(st.dictionaries(st.text(), JSON, max_size=8), st.data())
@settings(max_examples=300, deadline=None)
def test_members_known_beforehand_give_the_same_canonical_form(payload, data):
    """A kept answer's members are made canonical once (signing.members), and a check's
    signature joins them to its own: the bytes must be rfc8785's, whatever the keys (UTF-16
    order) and values."""
    kept = data.draw(st.sets(st.sampled_from(sorted(payload)) if payload else st.nothing()))
    known = signing.members({name: payload[name] for name in kept})
    assert signing.canonical(payload, known) == signing.canonical(payload)


def test_members_known_beforehand_are_sorted_by_utf16_code_units():
    payload = {"\ufb33": 2, "\U0001f600": 1, "a": [1.5, "ភ្នាក់ងារ"]}
    assert signing.canonical(payload, signing.members({"a": payload["a"]})) == \
        '{"a":[1.5,"ភ្នាក់ងារ"],"\U0001f600":1,"\ufb33":2}'.encode()


def test_the_key_id_is_the_rfc_7638_thumbprint():
    # RFC 8037 appendix A.1 and A.3: an Ed25519 public key and its thumbprint.
    raw = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    assert signing.jwk(raw) == {"kty": "OKP", "crv": "Ed25519",
                                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                                "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
                                "alg": "EdDSA", "use": "sig"}
