#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/revocations_fuzz.cpp into corpus/revocations/.

Debian's python3-cbor2 and python3-nacl only. The key is the fuzz target's: seed 32 × 0x07.
Files named *.cose are whole COSE_Sign1 inputs; S-*.cbor start with 'S' and carry only the
payload, which the target signs itself. Run: /usr/bin/python3 tests/fuzz/make_revocations_corpus.py
"""
import hashlib
import os
import pathlib

import cbor2
from nacl.signing import SigningKey

OUT = pathlib.Path(__file__).parent / "corpus" / "revocations"
KEY = SigningKey(bytes([7]) * 32)
KID = hashlib.sha256(bytes(KEY.verify_key)).digest()[:4].hex().encode()


def protected(alg=-8, kid=KID):
    header = {1: alg}
    if kid is not None:
        header[4] = kid
    return cbor2.dumps(header)


def sign1(payload, prot=None, key=KEY, tag=18, signature=None):
    prot = protected() if prot is None else prot
    to_sign = cbor2.dumps(["Signature1", prot, b"", payload])
    sig = key.sign(to_sign).signature if signature is None else signature
    body = [prot, {}, payload, sig]
    return cbor2.dumps(cbor2.CBORTag(tag, body)) if tag is not None else cbor2.dumps(body)


def payload(entries=None, issuer="Dinas Sosial Kota Bontang", issued_at=1795831200):
    if entries is None:
        entries = [["647400000018", 1795831100, "hilang"], ["647400000026", 1795831150, "pindah"]]
    return cbor2.dumps({1: issuer, 6: issued_at, -65538: entries})


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    files = {}
    good = payload()
    # Whole COSE_Sign1 inputs.
    files["valid.cose"] = sign1(good)
    files["valid-cwt-tag-61.cose"] = cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(sign1(good))))
    files["untagged.cose"] = sign1(good, tag=None)
    files["tag-16.cose"] = sign1(good, tag=16)
    files["no-kid.cose"] = sign1(good, prot=protected(kid=None))
    files["unknown-kid.cose"] = sign1(good, prot=protected(kid=b"ffffffff"))
    files["es256-alg.cose"] = sign1(good, prot=protected(alg=-7))
    files["other-key.cose"] = sign1(good, key=SigningKey(bytes([9]) * 32))
    files["empty-signature.cose"] = sign1(good, signature=b"")
    flipped = bytearray(sign1(good))
    flipped[-1] ^= 1
    files["bad-signature.cose"] = bytes(flipped)
    files["truncated.cose"] = sign1(good)[:40]
    files["protected-not-map.cose"] = sign1(good, prot=cbor2.dumps([1, -8]))
    files["array-of-3.cose"] = cbor2.dumps(cbor2.CBORTag(18, [protected(), {}, good]))
    # A byte string that claims 4 GiB: must be refused before anything is allocated.
    files["huge-length.cose"] = bytes([0xD2, 0x84, 0x5A, 0xFF, 0xFF, 0xFF, 0xFF, 0x00])
    files["trailing-bytes.cose"] = sign1(good) + b"\x00"
    # Payloads the target signs ('S' + payload).
    payloads = {
        "valid": good,
        "empty-list": payload([]),
        "no-issuer": cbor2.dumps({6: 1795831200, -65538: []}),
        "no-list": cbor2.dumps({1: "x", 6: 1795831200}),
        "list-not-array": cbor2.dumps({1: "x", 6: 1, -65538: {"a": 1}}),
        "entry-of-2": payload([["647400000018", 1795831100]]),
        "entry-wrong-types": payload([[647400000018, "1795831100", None]]),
        "entry-not-array": payload(["647400000018"]),
        "same-number-twice": payload(
            [["647400000018", 2, "pindah"], ["647400000018", 1, "hilang"]]
        ),
        "issuer-not-text": cbor2.dumps({1: 7, 6: 1, -65538: []}),
        "issued-at-negative": payload(issued_at=-1),
        "issued-at-huge": payload(issued_at=2**64 - 1),
        "issued-at-float": payload(issued_at=1.5),
        "revoked-at-huge-negative": payload([["647400000018", -(2**64), "x"]]),
        "not-a-map": cbor2.dumps([1, 6, -65538]),
        "unknown-keys": cbor2.dumps({1: "x", 6: 1, -65538: [], 99: "y", "text": 1}),
        "tag-inside": cbor2.dumps({1: "x", 6: cbor2.CBORTag(1, 1795831200), -65538: []}),
        "deep-nesting": b"\xa1\x01" + b"\x81" * 200 + b"\x00",
        "trailing-bytes": good + b"\xff",
        # Indefinite-length map and array (0xbf … 0xff, 0x9f … 0xff).
        "indefinite": b"\xbf\x01\x61x\x06\x01\x3a\x00\x01\x00\x01\x9f\xff\xff",
        # An array that claims 2^31 entries.
        "huge-array": b"\xa3\x01\x61x\x06\x01\x3a\x00\x01\x00\x01\x9a\x80\x00\x00\x00",
        # The same key twice.
        "duplicate-key": b"\xa3\x01\x61x\x01\x61y\x3a\x00\x01\x00\x01\x80",
        "empty": b"",
    }
    for name, p in payloads.items():
        files[f"S-{name}.cbor"] = b"S" + p
    for old in OUT.iterdir():
        old.unlink()
    for name, data in sorted(files.items()):
        (OUT / name).write_bytes(data)
    print(f"{len(files)} files in {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
