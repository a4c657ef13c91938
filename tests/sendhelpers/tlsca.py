"""A throw-away certificate authority, made with ``cryptography``, and certificates from it.

``TestCA(folder)`` writes ``ca.pem``; the tests point ``SSL_CERT_FILE`` at it, which is where
OpenSSL (and so the OS-trust-store code path of truststore on Linux) looks for trusted roots.
Server certificates: a valid one for 127.0.0.1/localhost, an expired one, one for another name,
and a self-signed one that no CA vouches for.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Report Capture Tests")])


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class TestCA:
    __test__ = False  # not a pytest test class

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(dt.timezone.utc)
        self.key = _key()
        self.cert = (
            x509.CertificateBuilder().subject_name(_name("Report Capture Test CA"))
            .issuer_name(_name("Report Capture Test CA")).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()),
                           critical=False)
            .sign(self.key, hashes.SHA256()))
        self.ca_file = self.folder / "ca.pem"
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, name: str, *, hosts=("127.0.0.1", "localhost"), expired: bool = False,
              self_signed: bool = False) -> tuple[Path, Path]:
        """Write ``name.pem`` and ``name.key``; return their paths."""
        now = dt.datetime.now(dt.timezone.utc)
        key = _key()
        if expired:
            start, end = now - dt.timedelta(days=30), now - dt.timedelta(days=2)
        else:
            start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=10)
        alt = [x509.IPAddress(ipaddress.ip_address(h)) if h.replace(".", "").isdigit()
               else x509.DNSName(h) for h in hosts]
        issuer_name = _name(hosts[0]) if self_signed else self.cert.subject
        signer = key if self_signed else self.key
        builder = (
            x509.CertificateBuilder().subject_name(_name(hosts[0])).issuer_name(issuer_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        if not self_signed:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        cert = builder.sign(signer, hashes.SHA256())
        cert_file, key_file = self.folder / f"{name}.pem", self.folder / f"{name}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(_pem_key(key))
        return cert_file, key_file

    def server_context(self, name: str = "server", **kwargs) -> ssl.SSLContext:
        cert_file, key_file = self.issue(name, **kwargs)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        return context
