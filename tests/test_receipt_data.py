"""A receipt as data (issue 15): fetched as JSON, it checks with the documented openssl recipe
and with `cryptography`, from its bytes as published; changing anything in it fails."""
import base64
import json
import subprocess

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .conftest import agency_row


def openssl_check(tmp_path, receipt_json, key_pem):
    """docs/decisions.md's recipe, run as written (jq, base64, openssl)."""
    (tmp_path / "r.json").write_text(receipt_json)
    (tmp_path / "key.pem").write_bytes(key_pem)
    recipe = ("jq -j .signed r.json > payload.bin && jq -r .signature r.json | base64 -d > sig.bin"
              " && openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in payload.bin"
              " -sigfile sig.bin")
    return subprocess.run(["sh", "-c", recipe], cwd=tmp_path, capture_output=True, text=True)


def test_a_receipt_as_json_checks_offline_and_fails_when_changed(client, load, tmp_path):
    load(agencies=[agency_row("KH-R-0001", "Receipt Agency", name_km="ភ្នាក់ងារ បង្កាន់ដៃ")])
    answer = client.get("/api/v1/verify", query_string={"licence": "KH-R-0001"}).json
    assert answer["alg"] == "Ed25519" and answer["status"] == "licensed"
    data = client.get(f"/verify/{answer['reference']}.json")
    assert data.status_code == 200 and data.mimetype == "application/json"
    receipt = data.json
    jwk = client.get("/verify/public-key.jwk").json
    assert receipt["key_id"] == answer["key_id"] == jwk["kid"]
    assert (receipt["alg"], receipt["canonicalization"]) == ("Ed25519", "RFC 8785")
    assert receipt["signature"] == answer["signature"]
    signed = {k: v for k, v in answer.items() if k not in ("signature", "alg", "key_id")}
    assert receipt["payload"] == signed and json.loads(receipt["signed"]) == signed

    key_pem = client.get("/verify/public-key.pem").data
    key = load_pem_public_key(key_pem)
    key.verify(base64.b64decode(receipt["signature"]), receipt["signed"].encode("utf-8"))
    checked = openssl_check(tmp_path, data.get_data(as_text=True), key_pem)
    assert checked.returncode == 0 and "Signature Verified Successfully" in checked.stdout

    forged = json.loads(data.get_data(as_text=True))
    forged["signed"] = forged["signed"].replace('"licensed"', '"revoked"')
    refused = openssl_check(tmp_path, json.dumps(forged, ensure_ascii=False), key_pem)
    assert refused.returncode != 0
    try:
        key.verify(base64.b64decode(receipt["signature"]), forged["signed"].encode("utf-8"))
        raise AssertionError("a changed receipt passed")
    except InvalidSignature:
        pass


def test_an_unknown_receipt_as_json_is_a_json_404(client):
    response = client.get("/verify/V-20260101-ZZZZZZ.json")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
