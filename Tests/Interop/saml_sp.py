#!/usr/bin/env python3
"""A SAML 2.0 service provider, played by real SP libraries, for interop tests against StoreIdP.

Each subcommand configures python3-saml (OneLogin) or pysaml2 the way a partner would, from
the SP's entity ID and ACS URL and our IdP metadata, performs one SP-side step, prints one JSON
object on stdout and exits 0 only when that step succeeded. Diagnostics go to stderr.

    saml_sp.py onelogin-verify   --sp-entity-id E --acs-url U --idp-metadata F --saml-response B64 [...]
    saml_sp.py pysaml2-verify    --sp-entity-id E --acs-url U --idp-metadata F --saml-response B64 [...]
    saml_sp.py onelogin-authn-request  --sp-entity-id E --acs-url U --idp-metadata F --destination URL [...]
    saml_sp.py onelogin-logout-request --sp-entity-id E --acs-url U --idp-metadata F --destination URL \
        --name-id N --session-index S [...]
    saml_sp.py onelogin-verify-logout-response ... --saml-response B64 --binding redirect|post [--query RAW]

No network access: the IdP metadata is read from a file.
"""

import argparse
import base64
import json
import logging
import os
import shutil
import sys
import tempfile
import traceback
from urllib.parse import parse_qs, urlparse

BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
NS_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


def emit(obj, ok):
    print(json.dumps(obj, indent=2, sort_keys=True))
    sys.exit(0 if ok else 1)


def fail(msg, code=2):
    print(f"saml_sp.py: error: {msg}", file=sys.stderr)
    sys.exit(code)


def read_file(path, what):
    try:
        with open(path, "r", encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        fail(f"cannot read {what} {path}: {e}")


def result(valid=False, error=None, **kw):
    out = {"valid": valid, "error": error, "name_id": None, "name_id_format": None,
           "attributes": {}, "session_index": None, "issuer": None}
    out.update(kw)
    return out


def request_data_for(url, post_data=None, get_data=None, query_string=None):
    """python3-saml's view of an incoming HTTP request: shaped as if it arrived at `url`.

    python3-saml rebuilds the URL it was called at from these keys and compares it with the
    message's Destination and the SubjectConfirmationData Recipient.
    """
    u = urlparse(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        fail(f"not an absolute http(s) URL: {url}")
    data = {
        "https": "on" if u.scheme == "https" else "off",
        "http_host": u.netloc,  # host[:port], as a browser's Host header carries it
        "script_name": u.path or "/",
        "get_data": get_data or {},
        "post_data": post_data or {},
    }
    if query_string is not None:
        data["query_string"] = query_string
        data["validate_signature_from_qs"] = True
    return data


# ---------------------------------------------------------------- python3-saml (OneLogin)

def onelogin_settings(args, sso_url=None, slo_url=None, security=None):
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser as Parser
    from onelogin.saml2.settings import OneLogin_Saml2_Settings

    metadata_xml = read_file(args.idp_metadata, "IdP metadata")
    try:
        parsed = Parser.parse(metadata_xml, required_sso_binding=BINDING_REDIRECT,
                              required_slo_binding=BINDING_REDIRECT)
        if "singleSignOnService" not in parsed.get("idp", {}):
            parsed = Parser.parse(metadata_xml, required_sso_binding=BINDING_POST,
                                  required_slo_binding=BINDING_POST)
    except Exception as e:  # lxml / defusedxml errors
        fail(f"IdP metadata {args.idp_metadata} does not parse: {e}")
    idp = parsed.get("idp")
    if not idp or "entityId" not in idp:
        fail(f"IdP metadata {args.idp_metadata}: no EntityDescriptor with an IDPSSODescriptor")
    if not idp.get("x509cert") and not idp.get("x509certMulti", {}).get("signing"):
        fail(f"IdP metadata {args.idp_metadata}: no signing X509Certificate in the IDPSSODescriptor")
    idp.setdefault("singleSignOnService", {"url": sso_url or "https://idp.invalid/sso", "binding": BINDING_REDIRECT})
    if sso_url:
        idp["singleSignOnService"]["url"] = sso_url
    if slo_url:
        idp["singleLogoutService"] = {"url": slo_url, "binding": BINDING_REDIRECT}

    sp = {
        "entityId": args.sp_entity_id,
        "assertionConsumerService": {"url": args.acs_url, "binding": BINDING_POST},
        "singleLogoutService": {"url": args.sp_slo_url or args.acs_url, "binding": BINDING_REDIRECT},
        "NameIDFormat": getattr(args, "name_id_format", None)
        or parsed.get("sp", {}).get("NameIDFormat")
        or "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    }
    if args.sp_key and args.sp_cert:
        sp["privateKey"] = read_file(args.sp_key, "SP key")
        sp["x509cert"] = read_file(args.sp_cert, "SP certificate")
    elif args.sp_key or args.sp_cert:
        fail("--sp-key and --sp-cert go together")

    sec = {
        "authnRequestsSigned": False,
        "logoutRequestSigned": False,
        "logoutResponseSigned": False,
        "wantMessagesSigned": False,
        "wantAssertionsSigned": False,
        "wantAssertionsEncrypted": False,
        "wantNameId": True,
        "wantAttributeStatement": True,
        "rejectDeprecatedAlgorithm": True,
        "signatureAlgorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "digestAlgorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
    }
    sec.update(security or {})
    if (sec["authnRequestsSigned"] or sec["logoutRequestSigned"] or sec["wantAssertionsEncrypted"]) \
            and "privateKey" not in sp:
        fail("signing requests or decrypting assertions needs --sp-key and --sp-cert")
    settings = {"strict": True, "debug": False, "sp": sp, "idp": idp, "security": sec}
    return OneLogin_Saml2_Settings(settings, sp_validation_only=False)


def cmd_onelogin_verify(args):
    from onelogin.saml2.response import OneLogin_Saml2_Response

    settings = onelogin_settings(args, security={
        "wantAssertionsSigned": args.want_assertions_signed,
        "wantMessagesSigned": args.want_messages_signed,
        "wantAssertionsEncrypted": args.want_assertions_encrypted,
        "wantAttributeStatement": not args.no_attribute_statement,
    })
    try:
        response = OneLogin_Saml2_Response(settings, args.saml_response)
    except Exception as e:
        emit(result(error=f"SAMLResponse not accepted: {type(e).__name__}: {e}"), False)
    request_data = request_data_for(args.acs_url, post_data={"SAMLResponse": args.saml_response})
    try:
        valid = response.is_valid(request_data, request_id=args.request_id)
        error = None if valid else response.get_error()
    except Exception as e:
        valid, error = False, f"{type(e).__name__}: {e}"
    out = result(valid=valid, error=error)
    if valid:
        try:  # an SP reads these next; python3-saml refuses e.g. a repeated Attribute Name here
            response.get_attributes()
        except Exception as e:
            emit(result(error=f"{type(e).__name__}: {e}"), False)
        out.update(
            name_id=response.get_nameid(),
            name_id_format=response.get_nameid_format(),
            attributes=response.get_attributes(),
            session_index=response.get_session_index(),
            issuer=(response.get_issuers() or [None])[0],
            in_response_to=response.get_in_response_to(),
            authn_contexts=response.get_authn_contexts(),
            assertion_id=response.get_assertion_id(),
            response_id=response.get_id(),
        )
    emit(out, valid)


def onelogin_auth(args, settings, url):
    from onelogin.saml2.auth import OneLogin_Saml2_Auth
    return OneLogin_Saml2_Auth(request_data_for(url), old_settings=settings)


def b64(xml):
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    return base64.b64encode(xml).decode("ascii")


def post_form(xml, relay_state, settings, sign):
    from onelogin.saml2.utils import OneLogin_Saml2_Utils
    if sign:
        sp = settings.get_sp_data()
        xml = OneLogin_Saml2_Utils.add_sign(
            xml, sp["privateKey"], sp["x509cert"],
            sign_algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            digest_algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    form = {"SAMLRequest": b64(xml)}
    if relay_state is not None:
        form["RelayState"] = relay_state
    return form


def cmd_onelogin_authn_request(args):
    from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request

    settings = onelogin_settings(args, sso_url=args.destination,
                                 security={"authnRequestsSigned": args.sign})
    out = {"binding": args.binding}
    if args.binding == "redirect":
        auth = onelogin_auth(args, settings, args.acs_url)
        # python3-saml's own HTTP-Redirect encoding and query signing (RSA-SHA256)
        url = auth.login(return_to=args.relay_state, force_authn=args.force_authn,
                         is_passive=args.is_passive)
        out.update(id=auth.get_last_request_id(), url=url)
    else:
        req = OneLogin_Saml2_Authn_Request(settings, force_authn=args.force_authn, is_passive=args.is_passive)
        relay = args.relay_state if args.relay_state is not None else args.acs_url
        out.update(id=req.get_id(), url=args.destination,
                   form=post_form(req.get_xml(), relay, settings, args.sign))
    emit(out, True)


def cmd_onelogin_logout_request(args):
    from onelogin.saml2.logout_request import OneLogin_Saml2_Logout_Request

    settings = onelogin_settings(args, slo_url=args.destination,
                                 security={"logoutRequestSigned": args.sign})
    fmt = args.name_id_format
    out = {"binding": args.binding}
    if args.binding == "redirect":
        auth = onelogin_auth(args, settings, args.acs_url)
        url = auth.logout(return_to=args.relay_state, name_id=args.name_id,
                          session_index=args.session_index, name_id_format=fmt)
        out.update(id=auth.get_last_request_id(), url=url)
    else:
        req = OneLogin_Saml2_Logout_Request(settings, name_id=args.name_id,
                                            session_index=args.session_index, name_id_format=fmt)
        relay = args.relay_state if args.relay_state is not None else args.acs_url
        out.update(id=req.id, url=args.destination, form=post_form(req.get_xml(), relay, settings, args.sign))
    emit(out, True)


def cmd_onelogin_verify_logout_response(args):
    from onelogin.saml2.logout_response import OneLogin_Saml2_Logout_Response
    from onelogin.saml2.utils import OneLogin_Saml2_Utils
    from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

    settings = onelogin_settings(args, security={"wantMessagesSigned": args.want_messages_signed})
    at = args.sp_slo_url or args.acs_url
    out = {"valid": False, "error": None, "status": None, "in_response_to": None, "issuer": None}
    if args.binding == "redirect":
        if args.query is None:
            fail("--binding redirect needs --query (the raw query string the IdP redirected to)")
        raw = args.query.split("?", 1)[1] if "?" in args.query else args.query
        get_data = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        if "SAMLResponse" not in get_data:
            fail("--query has no SAMLResponse parameter")
        auth = onelogin_auth(args, settings, at)
        auth._request_data = request_data_for(at, get_data=get_data, query_string=raw)
        try:
            auth.process_slo(keep_local_session=True, request_id=args.request_id)
        except Exception as e:
            out["error"] = f"{type(e).__name__}: {e}"
            emit(out, False)
        errors = auth.get_errors()
        doc = OneLogin_Saml2_Logout_Response(settings, get_data["SAMLResponse"])
        reason = auth.get_last_error_reason()
        if reason is None and not doc.is_valid(auth._request_data, request_id=args.request_id):
            reason = doc.get_error()
        out.update(valid=not errors, error=(", ".join(errors) + ": " + str(reason)) if errors else None, status=doc.get_status(), in_response_to=doc.get_in_response_to(),
                   issuer=doc.get_issuer())
        emit(out, not errors)
    # HTTP-POST: python3-saml only reads base64 here (no inflate) and has no POST-binding SLO
    # flow, so check the enveloped XML signature ourselves with its utilities.
    if args.saml_response is None:
        fail("--binding post needs --saml-response")
    # is_valid's wantMessagesSigned looks for a Redirect-binding Signature parameter; for POST
    # the enveloped signature is checked below instead.
    settings = onelogin_settings(args, security={"wantMessagesSigned": False})
    doc = OneLogin_Saml2_Logout_Response(settings, args.saml_response)
    request_data = request_data_for(at, get_data={})
    errors = []
    if not doc.is_valid(request_data, request_id=args.request_id):
        errors.append(doc.get_error())
    if doc.get_status() != "urn:oasis:names:tc:SAML:2.0:status:Success":
        errors.append(f"status is {doc.get_status()}")
    signed = bool(OneLogin_Saml2_XML.query(doc.document, "/samlp:LogoutResponse/ds:Signature"))
    if signed or args.want_messages_signed:
        idp = settings.get_idp_data()
        certs = idp.get("x509certMulti", {}).get("signing") or [idp.get("x509cert")]
        ok = any(OneLogin_Saml2_Utils.validate_sign(doc.document, c, validatecert=False,
                                                    xpath="/samlp:LogoutResponse/ds:Signature")
                 for c in certs if c) if signed else False
        if not ok:
            errors.append("LogoutResponse signature missing or invalid")
    out.update(valid=not errors, error="; ".join(errors) or None, status=doc.get_status(),
               in_response_to=doc.get_in_response_to(), issuer=doc.get_issuer())
    emit(out, not errors)


# ---------------------------------------------------------------- pysaml2

class _ErrorCollector(logging.Handler):
    """pysaml2 often logs the reason and returns None; keep those messages for the JSON error."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        try:
            self.messages.append(record.getMessage())
        except Exception:
            pass


def cmd_pysaml2_verify(args):
    from saml2 import BINDING_HTTP_POST
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    xmlsec1 = shutil.which("xmlsec1")
    if not xmlsec1:
        fail("the xmlsec1 program is not on PATH (Debian package xmlsec1); pysaml2 runs it")
    read_file(args.idp_metadata, "IdP metadata")
    sp = {
        "endpoints": {"assertion_consumer_service": [(args.acs_url, BINDING_HTTP_POST)]},
        "allow_unsolicited": args.allow_unsolicited,
        "want_assertions_signed": args.want_assertions_signed,
        "want_response_signed": args.want_response_signed,
        # pysaml2 refuses a configuration that requires no signature at all
        "want_assertions_or_response_signed": True,
        "authn_requests_signed": False,
        "allow_unknown_attributes": True,
    }
    conf = {
        "entityid": args.sp_entity_id,
        "xmlsec_binary": xmlsec1,
        "crypto_backend": "xmlsec1",
        "metadata": {"local": [os.path.abspath(args.idp_metadata)]},
        "service": {"sp": sp},
        "allow_unknown_attributes": True,
    }
    if args.time_slack is not None:
        conf["accepted_time_diff"] = args.time_slack
    if args.sp_key and args.sp_cert:
        conf["key_file"] = os.path.abspath(args.sp_key)
        conf["cert_file"] = os.path.abspath(args.sp_cert)
        conf["encryption_keypairs"] = [{"key_file": conf["key_file"], "cert_file": conf["cert_file"]}]
    elif args.sp_key or args.sp_cert:
        fail("--sp-key and --sp-cert go together")

    collector = _ErrorCollector()
    logging.getLogger("saml2").addHandler(collector)
    logging.getLogger("saml2").setLevel(logging.WARNING)
    logging.getLogger("saml2").propagate = args.verbose

    tmpdir = tempfile.mkdtemp(prefix="pysaml2-")
    cwd = os.getcwd()
    os.chdir(tmpdir)  # pysaml2 may write temporary files into the working directory
    try:
        config = SPConfig()
        config.load(conf)
        client = Saml2Client(config=config)
        outstanding = {args.request_id: "/"} if args.request_id else {}
        try:
            # conv_info makes pysaml2 check SubjectConfirmationData/@Recipient against the ACS
            # URL (or the SP entity ID); without it pysaml2 only requires a non-empty Recipient.
            resp = client.parse_authn_request_response(args.saml_response, BINDING_HTTP_POST,
                                                       outstanding=outstanding,
                                                       conv_info={"entity_id": args.sp_entity_id})
        except Exception as e:
            if args.verbose:
                traceback.print_exc()
            emit(result(error=f"{type(e).__name__}: {e}"), False)
        if resp is None or resp.assertion is None:
            reason = "; ".join(collector.messages[-3:]) or "pysaml2 returned no response"
            emit(result(error=f"rejected: {reason}"), False)
        assertion = resp.assertion
        attributes = {}
        for stmt in assertion.attribute_statement or []:
            for attr in stmt.attribute:
                attributes.setdefault(attr.name, []).extend(
                    (v.text or "") for v in attr.attribute_value)
        name_id = resp.name_id
        session_index = None
        if assertion.authn_statement:
            session_index = assertion.authn_statement[0].session_index
        emit(result(
            valid=True,
            name_id=name_id.text if name_id is not None else None,
            name_id_format=name_id.format if name_id is not None else None,
            attributes=attributes,
            ava=resp.ava,
            session_index=session_index,
            issuer=resp.issuer(),
            in_response_to=resp.in_response_to,
            assertion_id=assertion.id,
            response_id=resp.response.id,
            authn_contexts=[s.authn_context.authn_context_class_ref.text
                            for s in assertion.authn_statement
                            if s.authn_context and s.authn_context.authn_context_class_ref is not None],
        ), True)
    finally:
        os.chdir(cwd)
        shutil.rmtree(tmpdir, ignore_errors=True)


# ---------------------------------------------------------------- CLI

def main(argv=None):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--sp-entity-id", required=True, help="the SP's entityID (our Audience)")
    common.add_argument("--acs-url", required=True, help="the SP's AssertionConsumerService URL (HTTP-POST)")
    common.add_argument("--idp-metadata", required=True, metavar="FILE", help="StoreIdP's metadata XML")
    common.add_argument("--sp-key", metavar="FILE", help="SP private key (PEM): decrypts assertions, signs requests")
    common.add_argument("--sp-cert", metavar="FILE", help="SP certificate (PEM)")
    common.add_argument("--sp-slo-url", help="the SP's SingleLogoutService URL (default: the ACS URL)")
    common.add_argument("--verbose", action="store_true", help="library logs and tracebacks on stderr")

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("onelogin-verify", parents=[common],
                       help="validate a SAMLResponse with python3-saml (strict) as POSTed to the ACS URL")
    s.add_argument("--saml-response", required=True, help="the base64 SAMLResponse form value")
    s.add_argument("--request-id", help="ID of the AuthnRequest this answers (checks InResponseTo)")
    s.add_argument("--want-assertions-signed", action="store_true")
    s.add_argument("--want-messages-signed", action="store_true", help="require a signed Response")
    s.add_argument("--want-assertions-encrypted", action="store_true")
    s.add_argument("--no-attribute-statement", action="store_true",
                   help="accept an Assertion without AttributeStatement (python3-saml requires one by default)")
    s.set_defaults(func=cmd_onelogin_verify)

    s = sub.add_parser("pysaml2-verify", parents=[common],
                       help="validate a SAMLResponse with pysaml2's Saml2Client (xmlsec1 backend)")
    s.add_argument("--saml-response", required=True)
    s.add_argument("--request-id", help="ID of the outstanding AuthnRequest")
    s.add_argument("--want-assertions-signed", action="store_true")
    s.add_argument("--want-response-signed", action="store_true")
    s.add_argument("--allow-unsolicited", action="store_true", help="accept IdP-initiated responses")
    s.add_argument("--time-slack", type=int, default=None,
                   help="pysaml2 accepted_time_diff in seconds (pysaml2's default: 0, no clock skew)")
    s.set_defaults(func=cmd_pysaml2_verify)

    for name, func, what in (("onelogin-authn-request", cmd_onelogin_authn_request, "AuthnRequest"),
                             ("onelogin-logout-request", cmd_onelogin_logout_request, "LogoutRequest")):
        s = sub.add_parser(name, parents=[common], help=f"build a {what} with python3-saml")
        s.add_argument("--destination", required=True, help="StoreIdP endpoint URL (Destination)")
        s.add_argument("--sign", action="store_true",
                       help="sign it (Redirect: query signature RSA-SHA256; POST: enveloped signature)")
        s.add_argument("--binding", choices=("redirect", "post"), default="redirect")
        s.add_argument("--relay-state", help="RelayState (python3-saml's default: the ACS URL)")
        s.add_argument("--name-id-format", help="NameIDPolicy / NameID Format URI")
        if what == "AuthnRequest":
            s.add_argument("--force-authn", action="store_true")
            s.add_argument("--is-passive", action="store_true")
        else:
            s.add_argument("--name-id", required=True)
            s.add_argument("--session-index", required=True)
        s.set_defaults(func=func)

    s = sub.add_parser("onelogin-verify-logout-response", parents=[common],
                       help="validate a LogoutResponse with python3-saml")
    s.add_argument("--binding", choices=("redirect", "post"), required=True)
    s.add_argument("--query", help="redirect: the raw query string (or whole URL) StoreIdP redirected to")
    s.add_argument("--saml-response", help="post: the base64 SAMLResponse form value")
    s.add_argument("--request-id", help="ID of the LogoutRequest this answers")
    s.add_argument("--want-messages-signed", action="store_true")
    s.set_defaults(func=cmd_onelogin_verify_logout_response)

    args = p.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
