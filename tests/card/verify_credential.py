#!/usr/bin/python3
"""An independent verifier of Kapal card credentials, written from docs/card-format.md with
only Debian's python3-cbor2 and python3-nacl (plus the standard library's zlib; Base45 is a
dozen lines of RFC 9285, written here).

    verify_credential.py --qr TEXT --key HEX     verify one credential; prints its claims
    verify_credential.py --sample PROGRAM        run PROGRAM (kapal_card_sample) and check
                                                 that its credential verifies, decodes to
                                                 what it says, and fails once tampered with

Exit 0 when everything holds, 1 otherwise.
"""
import argparse
import hashlib
import json
import subprocess
import sys
import zlib

import cbor2
import nacl.exceptions
import nacl.signing

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
KAPAL_CLAIM = -65537


def base45_decode(text):
    out = bytearray()
    for i in range(0, len(text), 3):
        chunk = [ALPHABET.index(c) for c in text[i:i + 3]]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise ValueError("base45 group too large")
            out += bytes([n >> 8, n & 0xFF])
        elif len(chunk) == 2:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise ValueError("base45 group too large")
            out.append(n)
        else:
            raise ValueError("base45 length")
    return bytes(out)


def base45_encode(data):
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        out += [ALPHABET[n % 45], ALPHABET[(n // 45) % 45], ALPHABET[n // 2025]]
    if len(data) % 2:
        n = data[-1]
        out += [ALPHABET[n % 45], ALPHABET[n // 45]]
    return "".join(out)


def verify(qr, public_key_hex):
    """Returns the CWT claims map of a credential whose signature verifies; raises otherwise."""
    cose = cbor2.loads(zlib.decompress(base45_decode(qr)))
    if not isinstance(cose, cbor2.CBORTag) or cose.tag != 18:
        raise ValueError("not a tag-18 COSE_Sign1")
    protected, unprotected, payload, signature = cose.value
    header = cbor2.loads(protected)
    if header.get(1) != -8:
        raise ValueError("algorithm is not EdDSA (-8)")
    public_key = bytes.fromhex(public_key_hex)
    kid = hashlib.sha256(public_key).hexdigest()[:8]
    if header.get(4) != kid.encode():
        raise ValueError("kid %r is not the key's (%s)" % (header.get(4), kid))
    to_verify = cbor2.dumps(["Signature1", protected, b"", payload])
    nacl.signing.VerifyKey(public_key).verify(to_verify, signature)
    return cbor2.loads(payload)


def check_sample(program):
    sample = json.loads(subprocess.run([program], check=True, capture_output=True).stdout)
    expect = sample["expect"]
    claims = verify(sample["qr"], sample["public_key_hex"])
    identity = claims[169]
    kapal = claims[KAPAL_CLAIM]
    got = {
        "card_number": identity[1],
        "full_name": identity[4],
        "date_of_birth": identity[8],
        "gender": identity[9],
        "issuer": claims[1],
        "issued_at": claims[6],
        "expires_at": claims[4],
        "kelurahan_code": kapal[2],
        "categories": kapal[1],
        "needs": kapal[3],
    }
    if got != expect:
        print("decoded claims differ:\n  got    %s\n  expect %s" % (got, expect))
        return False
    # Tampered: one letter of the name changed, the signature kept.
    cose = cbor2.loads(zlib.decompress(base45_decode(sample["qr"])))
    payload = cose.value[2].replace(b"Siti", b"Ziti")
    tampered = cbor2.dumps(cbor2.CBORTag(18, [cose.value[0], cose.value[1], payload, cose.value[3]]))
    try:
        verify(base45_encode(zlib.compress(tampered, 9)), sample["public_key_hex"])
        print("a tampered credential verified")
        return False
    except nacl.exceptions.BadSignatureError:
        pass
    print("ok: %s verified with kid %s; a tampered copy was refused" % (got["card_number"], sample["kid"]))
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qr")
    parser.add_argument("--key")
    parser.add_argument("--sample")
    args = parser.parse_args()
    if args.sample:
        return 0 if check_sample(args.sample) else 1
    if not args.qr or not args.key:
        parser.error("give --sample PROGRAM, or --qr TEXT and --key HEX")
    try:
        claims = verify(args.qr, args.key)
    except (ValueError, nacl.exceptions.BadSignatureError, zlib.error) as e:
        print("invalid: %s" % e)
        return 1
    print(json.dumps(claims, default=repr, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
