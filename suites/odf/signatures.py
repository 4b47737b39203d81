"""Digital signatures of ODF packages (ODF 1.3 Part 2 §2.2.1 D, §3.5, §5): well-formedness of
the signature files, XML-DSig core validation of every signature against the package's
files, and a signer the fault catalogue and the tests use with throwaway keys.

Signature files are the files whose path begins with ``META-INF/`` and whose name contains
"signatures" (§3.5). A ``ds:Reference`` without a Type, or with the ODF Type, names a file of
the package relative to its root (§5.3, rule 1); a ``#id`` reference names an element of the
signature file itself (XAdES signed properties, signature properties).

Verification is XML-DSig core validation ([xmldsig-core] §3.2: every reference's digest, then
the SignatureValue) with the key of the certificate the signature carries. Whether that
certificate is trusted, or was valid when the document was signed, is the consumer's policy
and not a property of the document, so it is not judged here.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidInput, SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier

from suites.odf.package import parse_xml

DS = "http://www.w3.org/2000/09/xmldsig#"
DSIG = "urn:oasis:names:tc:opendocument:xmlns:digitalsignature:1.0"
DC = "http://purl.org/dc/elements/1.1/"
NS = {"ds": DS, "dsig": DSIG}
DOCUMENT_SIGNATURES = "META-INF/documentsignatures.xml"
ODF_REFERENCE = "http://docs.oasis-open.org/office/v1.2/OS/OpenDocument-v1.2.odt"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
# The canonicalisation transforms of [xmldsig-core] §6.5 and its successors: the only
# transforms §5.3 allows on files of the package.
CANONICALISATIONS = frozenset({
    C14N,
    C14N + "#WithComments",
    "http://www.w3.org/2006/12/xml-c14n11",
    "http://www.w3.org/2006/12/xml-c14n11#WithComments",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
})
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


XML_NS = "{http://www.w3.org/XML/1998/namespace}"


def canonical(node: etree._Element, algorithm: str = C14N,
              inclusive_prefixes: list[str] | None = None) -> bytes:
    """Canonical XML of ``node`` and its descendants, as [xml-c14n] renders an element of a
    larger document.

    libxml2 2.14 (the one lxml ships) renders ``xmlns=""`` on the grandchildren of such an
    element when the default namespace is declared above it, which breaks every ODF signature
    (ds:Signature declares the default namespace, ds:SignedInfo is its child). An inclusive
    canonicalisation therefore works on a copy re-rooted at ``node``, which carries the
    namespaces in scope; the xml: attributes it inherits are copied on as C14N §2.4 says.
    """
    exclusive = algorithm.startswith("http://www.w3.org/2001/10/xml-exc-c14n#")
    comments = algorithm.endswith("#WithComments")
    if exclusive or node.getparent() is None:
        return bytes(etree.tostring(node, method="c14n", exclusive=exclusive,
                                    with_comments=comments,
                                    inclusive_ns_prefixes=inclusive_prefixes))
    rooted = etree.fromstring(etree.tostring(node, with_tail=False))
    # C14N 1.1 inherits only xml:lang and xml:space (its §2.4); 1.0 every xml: attribute.
    inherited = (None if "xml-c14n11" not in algorithm
                 else {XML_NS + "lang", XML_NS + "space"})
    for ancestor in node.iterancestors():
        for name, value in ancestor.attrib.items():
            if (name.startswith(XML_NS) and name not in rooted.attrib
                    and (inherited is None or name in inherited)):
                rooted.set(name, value)
    return bytes(etree.tostring(rooted, method="c14n", with_comments=comments))


class _Verifier(XMLVerifier):
    """signxml's verifier, canonicalising with :func:`canonical`, and parsing what it
    parses (copies of the signature, signed data) within ``max_nodes``."""

    def __init__(self, max_nodes: int | None = None) -> None:
        self.max_nodes = max_nodes

    def _fromstring(self, xml_string: Any, **kwargs: Any) -> Any:
        if self.max_nodes is None or kwargs:
            return super()._fromstring(xml_string, **kwargs)  # type: ignore[no-untyped-call]
        data = xml_string.encode() if isinstance(xml_string, str) else xml_string
        root = parse_xml([data], "signed data", self.max_nodes).getroot()
        # signxml's own refusals, as its _fromstring makes them.
        docinfo = root.getroottree().docinfo
        if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
            raise InvalidInput("DTD declarations are not supported in XML input")
        if next(root.iter(etree.Entity), None) is not None:
            raise InvalidInput("Entities are not supported in XML input")
        return root

    def _c14n(self, nodes: object, algorithm: CanonicalizationMethod,
              inclusive_ns_prefixes: list[str] | None = None) -> bytes:
        items = nodes if isinstance(nodes, list) else [nodes]
        return b"".join(canonical(node, algorithm.value, inclusive_ns_prefixes)
                        for node in items)


@dataclass(frozen=True)
class Finding:
    message: str
    line: int | None = None
    xpath: str | None = None


def is_signature_file(name: str) -> bool:
    """§3.5: signatures are stored in META-INF/ files whose names contain "signatures"."""
    return (name.startswith("META-INF/") and not name.endswith("/")
            and "signatures" in name.rsplit("/", 1)[-1])


def _where(element: etree._Element) -> str:
    return str(element.getroottree().getpath(element))


def structure_findings(root: etree._Element) -> list[Finding]:
    """§5.3 beyond the RelaxNG schema (which allows any markup inside ``ds:Signature``): each
    signature is an [xmldsig-core] Signature, has a unique Id and includes a ds:KeyInfo."""
    findings: list[Finding] = []
    seen: set[str] = set()
    for signature in root.iterfind("ds:Signature", NS):
        detached = etree.fromstring(etree.tostring(signature))
        try:
            XMLVerifier().validate_schema(detached)  # type: ignore[no-untyped-call]
        except etree.DocumentInvalid as error:
            findings.append(Finding(f"ds:Signature is not valid against the XML Signature "
                                    f"schema: {error}", signature.sourceline, _where(signature)))
        identifier = signature.get("Id")
        if not identifier:
            findings.append(Finding("ds:Signature has no Id attribute (§5.3)",
                                    signature.sourceline, _where(signature)))
        elif identifier in seen:
            findings.append(Finding(f"ds:Signature Id {identifier!r} is not unique (§5.3)",
                                    signature.sourceline, _where(signature)))
        seen.add(identifier or "")
        if signature.find("ds:KeyInfo", NS) is None:
            findings.append(Finding("ds:Signature includes no ds:KeyInfo (§5.3)",
                                    signature.sourceline, _where(signature)))
    return findings


def package_path(uri: str) -> str | None:
    """The package file a ds:Reference URI names (§5.3 rule 1, §3.7), or None when it is not
    a relative reference into the package."""
    parts = urlsplit(uri)
    if parts.scheme or parts.netloc or parts.query or parts.fragment or not parts.path:
        return None
    path = unquote(parts.path)
    while path.startswith("./"):
        path = path[2:]
    if path.startswith("/") or ".." in path.split("/"):
        return None
    return path


@dataclass
class Verification:
    problems: list[Finding]
    # Why a signature could not be verified at all (not a failure of the document).
    undecided: list[str]




def verify(root: etree._Element, read: Callable[[str], bytes | None],
           parse: Callable[[str], etree._Element | None] | None = None,
           max_nodes: int | None = None) -> Verification:
    """Core validation of every ds:Signature of a signature file; ``read`` gives a package
    file's bytes (None when the package has no such file), ``parse`` its XML root (default:
    ``read`` then lxml; the validator passes one bounded by its limits), ``max_nodes``
    bounds each tree signxml parses (LimitExceeded past it)."""
    result = Verification([], [])
    signatures = root.findall("ds:Signature", NS)
    for index, signature in enumerate(signatures):
        label = f"ds:Signature {signature.get('Id') or index + 1}"
        files: dict[str, bool] = {}  # reference URI -> canonicalised as XML
        broken = False
        for reference in signature.iterfind("ds:SignedInfo/ds:Reference", NS):
            uri = reference.get("URI")
            if uri is None or uri.startswith("#") or reference.get("Type") not in (
                    None, ODF_REFERENCE):
                continue
            path = package_path(uri)
            if path is None or read(path) is None:
                result.problems.append(Finding(
                    f"{label}: ds:Reference URI={uri!r} names no file of the package",
                    reference.sourceline, _where(reference)))
                broken = True
                continue
            transforms = [t.get("Algorithm") or "" for t in
                          reference.iterfind("ds:Transforms/ds:Transform", NS)]
            others = [t for t in transforms if t not in CANONICALISATIONS]
            if others:
                result.problems.append(Finding(
                    f"{label}: ds:Reference URI={uri!r} applies {', '.join(others)}; only "
                    "canonicalisation transforms may apply to package files (§5.3)",
                    reference.sourceline, _where(reference)))
                broken = True
            files[uri] = bool(transforms)
        if broken:
            continue
        certificate = _certificate(signature)
        if certificate is None and signature.find("ds:KeyInfo/ds:X509Data", NS) is not None:
            result.undecided.append(f"{label}: ds:X509Data carries no ds:X509Certificate, so "
                                    "the signing key is not in the document")
            continue
        alone = _only(root, index)

        config = SignatureConfiguration(
            require_x509=certificate is not None, location="./", expect_references=True,
            # Core validation only: the certificate's own period is trust policy.
            verification_time=certificate.not_valid_before_utc if certificate else None,
            # Every algorithm XML-DSig defines: refusing SHA-1 is a consumer's security
            # policy, not a rule of ODF, and older producers signed with it.
            signature_methods=frozenset(SignatureMethod),
            digest_algorithms=frozenset(DigestAlgorithm),
        )
        try:
            _Verifier(max_nodes).verify(alone, x509_cert=certificate,
                                        uri_resolver=_resolver(files, read, parse),
                                        validate_schema=False, expect_config=config)
        except (SignXMLException, etree.XMLSyntaxError, ValueError) as error:
            result.problems.append(Finding(f"{label} does not verify: {error}",
                                           signature.sourceline, _where(signature)))
    return result


def _resolver(files: dict[str, bool], read: Callable[[str], bytes | None],
              parse: Callable[[str], etree._Element | None] | None,
              ) -> Callable[[str], etree._Element | bytes | None]:
    """Package files for signxml: parsed when their reference canonicalises them as XML,
    else the stored bytes (digested as they are)."""
    def resolve(uri: str) -> etree._Element | bytes | None:
        path = package_path(uri)
        if path is not None and parse is not None and files.get(uri):
            return parse(path)
        data = read(path) if path is not None else None
        if data is None or not files.get(uri):
            return data
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        return etree.fromstring(data, parser)
    return resolve


def _certificate(signature: etree._Element) -> x509.Certificate | None:
    value = signature.findtext("ds:KeyInfo/ds:X509Data/ds:X509Certificate", None, NS)
    if not value:
        return None
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join(value.split())))
    except ValueError:
        return None


def _only(root: etree._Element, index: int) -> etree._Element:
    """A copy of the signature file that holds only its ``index``-th signature, so the
    verifier finds that one while namespaces in scope stay those of the file."""
    alone = copy.deepcopy(root)
    for position, signature in enumerate(alone.findall("ds:Signature", NS)):
        if position != index:
            alone.remove(signature)
    return alone


# -- signing (the fault catalogue and the tests; keys are made at run time, never stored) ----


def _element(parent: etree._Element, tag: str, text: str | None = None,
             **attributes: str) -> etree._Element:
    child = etree.SubElement(parent, f"{{{DS}}}{tag}", attributes)
    child.text = text
    return child


def _reference(info: etree._Element, uri: str, digest: bytes, canonical: bool) -> None:
    reference = _element(info, "Reference", URI=uri)
    if canonical:
        _element(_element(reference, "Transforms"), "Transform", Algorithm=C14N)
    _element(reference, "DigestMethod", Algorithm=SHA256)
    _element(reference, "DigestValue", base64.b64encode(digest).decode())


def _canonical(data: bytes) -> bytes:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return canonical(etree.fromstring(data, parser))


def signature_file(
    files: Mapping[str, bytes], xml_files: set[str], key: rsa.RSAPrivateKey,
    certificate: x509.Certificate, signed_at: datetime, version: str,
) -> bytes:
    """A META-INF/documentsignatures.xml with one RSA-SHA256 signature over ``files`` (XML
    files canonicalised with Canonical XML 1.0, others as stored), its signing time as a
    dc:date signature property, and the certificate in ds:KeyInfo, as §5.3 describes."""
    root = etree.Element(f"{{{DSIG}}}document-signatures", nsmap={"dsig": DSIG})
    root.set(f"{{{DSIG}}}version", version)
    signature = etree.SubElement(root, f"{{{DS}}}Signature", {"Id": "ID_signature"},
                                 nsmap={None: DS})
    info = _element(signature, "SignedInfo")
    _element(info, "CanonicalizationMethod", Algorithm=C14N)
    _element(info, "SignatureMethod", Algorithm=RSA_SHA256)
    for name in sorted(files):
        as_xml = name in xml_files
        data = _canonical(files[name]) if as_xml else files[name]
        _reference(info, name, hashlib.sha256(data).digest(), as_xml)
    value = _element(signature, "SignatureValue")
    data_element = _element(_element(signature, "KeyInfo"), "X509Data")
    serial = _element(data_element, "X509IssuerSerial")
    _element(serial, "X509IssuerName", certificate.issuer.rfc4514_string())
    _element(serial, "X509SerialNumber", str(certificate.serial_number))
    der = certificate.public_bytes(Encoding.DER)
    _element(data_element, "X509Certificate", base64.b64encode(der).decode())
    properties = _element(_element(signature, "Object"), "SignatureProperties")
    item = _element(properties, "SignatureProperty", Id="ID_signed_at", Target="#ID_signature")
    date = etree.SubElement(item, f"{{{DC}}}date", nsmap={"dc": DC})
    date.text = signed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Digested in place, so the namespaces in scope are those the verifier sees.
    _reference(info, "#ID_signed_at", hashlib.sha256(canonical(item)).digest(), True)
    signed = canonical(info)
    value.text = base64.b64encode(
        key.sign(signed, padding.PKCS1v15(), hashes.SHA256())).decode()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def throwaway_signer(common_name: str = "ODF conformance test signer",
                     ) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A fresh RSA key and self-signed certificate, made in memory for one run."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, certificate

