#!/usr/bin/env python3
"""The admin console (/admin) driven by headless Chromium through Selenium, against a running
StoreIdP, as a new admin would use it: sign in, register a SAML service provider by uploading
python3-saml's SP metadata, preview a customer's payload, then check what the partner really gets
(the customer signs in, python3-saml accepts the response) and what the audit trail shows.

    admin_console.py --base URL --work DIR --screenshots DIR --admin-email E --customer-email E
                     [--sp-host URL] [--timeout S]
    (passwords in the environment: STOREIDP_TEST_ADMIN_PASSWORD, STOREIDP_TEST_CUSTOMER_PASSWORD)

Tests/Browser/run.sh starts the server and the accounts and runs this; see Tests/Browser/README.md.
Prints one `ok: …` or `FAILED: …` line per check (failure details indented below it, and a
screenshot failed-N.png in the screenshots folder); exits 1 when a check failed, 2 on bad usage
or when no browser could be started. Chromium is the Debian package's, driven by the Debian
chromedriver (CHROMEDRIVER, default /usr/bin/chromedriver; CHROMIUM, default /usr/bin/chromium):
Selenium Manager never runs and nothing is downloaded. Only the --base URL is contacted.
"""

import argparse
import base64
import datetime as dt
import http
import json
import os
import re
import sys
import traceback
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

os.environ["SE_OFFLINE"] = "true"  # Selenium Manager, should anything reach it, may not download

import requests  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoAlertPresentException, NoSuchElementException, StaleElementReferenceException, TimeoutException,
    WebDriverException)
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

sys.dont_write_bytecode = True  # no __pycache__ left in Tests/Interop by the import below
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Interop"))
from browser import Browser, parse_post_form  # noqa: E402  (Tests/Interop/browser.py)

BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SCREENSHOTS = ("login", "dashboard", "providers", "provider-detail", "customers", "keys", "audit")
ERROR_TITLES = {s.phrase for s in http.HTTPStatus if s.value >= 400}
NAV = ("nav-dashboard", "nav-providers", "nav-customers", "nav-keys", "nav-audit")


class CheckFailed(Exception):
    """A check's expectation was not met; the message says what was seen."""


class Stop(Exception):
    """A check the rest depend on failed: stop here."""


# ---------------------------------------------------------------- the service provider (python3-saml)

def self_signed(common_name):
    """A throwaway RSA key and certificate (PEM strings) for the SP's metadata KeyDescriptor."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2)).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


class ServiceProvider:
    """A partner's SAML SP as python3-saml configures it (as Tests/Interop/saml_sp.py does):
    HTTP-POST ACS, emailAddress NameID, signed assertions and responses wanted."""

    def __init__(self, sp_host, slug):
        self.slug = slug
        self.entity_id = f"{sp_host}/{slug}/metadata"
        self.acs_url = f"{sp_host}/{slug}/acs"
        self.key_pem, self.cert_pem = self_signed(f"storeidp-browser-{slug}")

    def settings_dict(self, idp=None, entity_id=None):
        return {
            "strict": True,
            "debug": False,
            "sp": {
                "entityId": entity_id or self.entity_id,
                "assertionConsumerService": {"url": self.acs_url, "binding": BINDING_POST},
                "singleLogoutService": {"url": self.acs_url.rsplit("/", 1)[0] + "/slo", "binding": BINDING_REDIRECT},
                "NameIDFormat": NAMEID_EMAIL,
                "x509cert": self.cert_pem,
                "privateKey": self.key_pem,
            },
            "idp": idp or {},
            "security": {
                "authnRequestsSigned": False,
                "logoutRequestSigned": False,
                "logoutResponseSigned": False,
                "wantMessagesSigned": True,
                "wantAssertionsSigned": True,  # → WantAssertionsSigned="true" in the metadata
                "wantAssertionsEncrypted": False,
                "wantNameId": True,
                "wantAttributeStatement": True,
                "rejectDeprecatedAlgorithm": True,
                "signatureAlgorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                "digestAlgorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
            },
        }

    def metadata(self):
        """The SP metadata XML python3-saml publishes (what a partner hands to the IdP's admin)."""
        from onelogin.saml2.settings import OneLogin_Saml2_Settings
        settings = OneLogin_Saml2_Settings(self.settings_dict(), sp_validation_only=True)
        xml = settings.get_sp_metadata()
        errors = settings.validate_metadata(xml)
        if errors:
            raise CheckFailed(f"python3-saml's own metadata does not validate: {errors}")
        return xml.decode() if isinstance(xml, bytes) else xml

    def write_metadata(self, folder):
        path = os.path.join(folder, f"{self.slug}-sp-metadata.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.metadata())
        return path

    def accept(self, saml_response, idp_metadata_xml, entity_id=None):
        """python3-saml's ACS: OneLogin_Saml2_Auth.process_response for an unsolicited (IdP-initiated)
        POST to our ACS URL, strict. Returns (auth, errors)."""
        from onelogin.saml2.auth import OneLogin_Saml2_Auth
        from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser as Parser
        from onelogin.saml2.settings import OneLogin_Saml2_Settings

        idp = Parser.parse(idp_metadata_xml, required_sso_binding=BINDING_REDIRECT).get("idp") or {}
        if "singleSignOnService" not in idp:
            idp = Parser.parse(idp_metadata_xml, required_sso_binding=BINDING_POST).get("idp") or {}
        if not idp.get("entityId"):
            raise CheckFailed("StoreIdP's /saml/metadata has no IDPSSODescriptor python3-saml can read")
        settings = OneLogin_Saml2_Settings(self.settings_dict(idp, entity_id), sp_validation_only=False)
        acs = urlsplit(self.acs_url)
        request_data = {"https": "on" if acs.scheme == "https" else "off", "http_host": acs.netloc,
                        "script_name": acs.path, "get_data": {}, "post_data": {"SAMLResponse": saml_response}}
        auth = OneLogin_Saml2_Auth(request_data, old_settings=settings)
        try:
            auth.process_response(request_id=None)
        except Exception as e:  # python3-saml raises on undecodable input
            return auth, [f"{type(e).__name__}: {e}"]
        errors = list(auth.get_errors())
        if errors and auth.get_last_error_reason():
            errors.append(auth.get_last_error_reason())
        return auth, errors


# ---------------------------------------------------------------- HTML helpers (for requests)

class _Forms(HTMLParser):
    """Inputs of the form with a given id: {name: value}."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.found, self.fields = form_id, False, False, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = self.found = True
        elif tag == "input" and self.inside and a.get("name"):
            self.fields.setdefault(a["name"], a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(page, form_id):
    p = _Forms(form_id)
    p.feed(page or "")
    return p.fields if p.found else None


# ---------------------------------------------------------------- the run

class Run:
    def __init__(self, args):
        self.a = args
        self.base = args.base.rstrip("/")
        self.timeout = args.timeout
        self.passed = self.failed = 0
        self.driver = None
        self.shots = {}
        self.state = {}

    # -- reporting

    def check(self, label, fn, fatal=False):
        """Runs fn(); prints `ok: label[ (detail)]` or `FAILED: label` with the reason and where the
        browser was. A fatal failure stops the run (later checks need what this one does)."""
        try:
            detail = fn()
        except (CheckFailed, AssertionError, TimeoutException, WebDriverException, requests.RequestException,
                OSError, ValueError, KeyError) as e:
            self.failed += 1
            print(f"FAILED: {label}")
            reason = str(e).strip() or type(e).__name__
            if isinstance(e, WebDriverException) and not isinstance(e, TimeoutException):
                reason = f"{type(e).__name__}: {(e.msg or '').strip()}"
            for line in reason.splitlines()[:20]:
                print(f"    {line}")
            self.where()
            sys.stdout.flush()
            if fatal:
                raise Stop(label)
            return False
        self.passed += 1
        print(f"ok: {label}" + (f" ({detail})" if detail else ""))
        sys.stdout.flush()
        return True

    def where(self):
        d = self.driver
        if d is None:
            return
        try:
            print(f"    browser at {d.current_url} (title {d.title!r})")
            for el in d.find_elements(By.CSS_SELECTOR, ".error, #notice")[:3]:
                print(f"    page shows {el.get_attribute('class') or el.get_attribute('id')}: {el.text.strip()[:300]!r}")
            body = " ".join(d.find_element(By.TAG_NAME, "body").text.split())
            print(f"    page text: {body[:400]!r}")
            path = os.path.join(self.a.screenshots, f"failed-{self.failed}.png")
            if d.save_screenshot(path):
                print(f"    screenshot: {path}")
        except WebDriverException as e:
            print(f"    (browser state unavailable: {type(e).__name__}: {(e.msg or '').strip()[:200]})")

    # -- browser helpers

    def start_browser(self):
        options = Options()
        options.binary_location = self.a.chromium
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                     "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--metrics-recording-only", "--password-store=basic", "--lang=en-US"):
            options.add_argument(flag)
        # leave a dialog open instead of dismissing it, so the XSS check can see an alert
        options.unhandled_prompt_behavior = "ignore"
        service = Service(executable_path=self.a.chromedriver,
                          log_output=os.path.join(self.a.work, "chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(self.timeout * 2)
        return self.driver.capabilities.get("browserVersion")

    def url(self, path):
        return urljoin(self.base + "/", path.lstrip("/"))

    def path(self):
        return urlsplit(self.driver.current_url).path.rstrip("/") or "/"

    def wait(self, condition, what, timeout=None):
        """Waits (WebDriverWait, polling) until condition(driver) is truthy; returns its value."""
        def guarded(d):
            try:
                return condition(d)
            except (NoSuchElementException, StaleElementReferenceException):
                return False
        try:
            return WebDriverWait(self.driver, timeout or self.timeout, poll_frequency=0.2).until(guarded)
        except TimeoutException:
            raise CheckFailed(f"waited {timeout or self.timeout} s for {what}; it did not happen") from None

    def element(self, css, what=None):
        return self.wait(lambda d: d.find_element(By.CSS_SELECTOR, css), what or f"an element {css}")

    def visible(self, css, what=None):
        def shown(d):
            el = d.find_element(By.CSS_SELECTOR, css)
            return el if el.is_displayed() else False
        return self.wait(shown, what or f"a visible element {css}")

    def at_path(self, path, css, what):
        """Waits for the browser to be at `path` with `css` on the page; gives up at once when the
        page there has loaded and is an error page (title "Not Found", "Forbidden", …)."""
        def arrived(d):
            if self.path() != path:
                return False
            found = d.find_elements(By.CSS_SELECTOR, css)
            if found:
                return found[0]
            title = d.title.strip()
            if title in ERROR_TITLES and d.execute_script("return document.readyState") == "complete":
                body = " ".join(d.find_element(By.TAG_NAME, "body").text.split())[:200]
                raise CheckFailed(f"{what}: {path} is an error page ({title!r}: {body!r})")
            return False
        return self.wait(arrived, f"{what} ({path} with {css})")

    def navigate(self, click, what):
        """Clicks (a link or submit button) and waits for the next page to replace this one."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        click.click()
        self.wait(lambda d: self._stale(old), f"a new page after {what}")

    @staticmethod
    def _stale(el):
        try:
            el.is_enabled()
            return False
        except StaleElementReferenceException:
            return True

    def fill(self, form, name, value):
        el = form.find_element(By.NAME, name)
        if el.tag_name.lower() == "select":
            select = Select(el)
            try:
                select.select_by_value(value)  # option[value=…]
            except NoSuchElementException:
                select.select_by_visible_text(value)  # <option>kind</option>: the value is the text
            return
        el.clear()
        if value:
            el.send_keys(value)

    def nav(self, nav_id, path, css, what):
        """Follows a nav link (from the dashboard when this page has none, e.g. an error page)."""
        if not self.driver.find_elements(By.ID, nav_id):
            self.driver.get(self.url("/admin"))
        link = self.visible(f"#{nav_id}", f"the nav link #{nav_id}")
        self.navigate(link, f"clicking #{nav_id}")
        self.at_path(path, css, what)

    def screenshot(self, name):
        path = os.path.join(self.a.screenshots, f"{name}.png")
        if not self.driver.save_screenshot(path):
            raise CheckFailed(f"could not save {path}")
        self.shots[name] = path
        return path

    def no_alert(self):
        try:
            alert = self.driver.switch_to.alert
            text = alert.text
            alert.accept()
            raise CheckFailed(f"a JavaScript alert is open: {text!r} (the script ran)")
        except NoAlertPresentException:
            return True

    def admin_requests(self):
        """A requests.Session carrying the browser's cookies (the admin's session)."""
        s = requests.Session()
        for c in self.driver.get_cookies():
            s.cookies.set(c["name"], c["value"])  # no domain/secure: sent to the base URL over http
        return s

    # ---------------------------------------------------------------- the checks

    def run(self):
        a = self.a
        self.check("headless Chromium starts through the Debian chromedriver (no Selenium Manager)",
                   lambda: f"Chromium {self.start_browser()}, {a.chromedriver}", fatal=True)
        self.check("first visit to /admin lands on the admin login page", self.first_visit, fatal=True)
        self.check("a wrong password shows the login form again with an error", self.wrong_password)
        self.check(f"admin {a.admin_email} signs in and lands on the dashboard with the sign-ins chart and the nav",
                   self.sign_in, fatal=True)
        sp = ServiceProvider(a.sp_host, a.slug)
        self.state["sp"] = sp
        self.check(f"providers page: python3-saml's SP metadata uploaded through the form registers '{a.slug}'",
                   lambda: self.upload_metadata(sp), fatal=True)
        self.check("the provider's page shows its definition (entity ID, ACS URL)", lambda: self.definition(sp))
        self.check(f"preview for {a.customer_email}: JSON with \"allowed\" : true naming the customer", self.preview)
        got = self.check(f"the customer signs in at /login and GET /sso/{a.slug} answers an auto-POST form with a SAMLResponse",
                         self.customer_sso)
        if got:
            self.check("python3-saml (OneLogin_Saml2_Auth, strict) accepts it: signatures, audience, destination, NameID, attributes",
                       lambda: self.python3_saml_accepts(sp))
            self.check("python3-saml refuses the same response for another SP entity ID (the audience check bites)",
                       lambda: self.python3_saml_refuses_other_audience(sp))
            self.check("the console's preview equals what python3-saml received (subject and attributes)", self.preview_matches)
        self.check("dashboard: the sign-ins chart (inline SVG) after the sign-in", self.dashboard)
        self.check(f"a provider named {XSS} is shown escaped (&lt;script&gt;, no script element, no alert)", self.xss)
        self.check(f"providers table lists '{a.slug}' linking to /admin/providers/{a.slug}", self.providers_table)
        self.check("POST /admin/providers/metadata with the admin's cookies but no csrf field → 403, nothing registered",
                   self.csrf_refused)
        self.check("control: the same POST with the form's csrf field is accepted (so the 403 was the CSRF check)",
                   self.csrf_control)
        self.check(f"customers page: searching '{a.customer_email}' lists the customer", self.customers)
        self.check("keys page: the signing keys table and the rotate button", self.keys)
        self.check(f"audit: filtered to {a.slug} and saml.response, the customer's sign-in is listed", self.audit_signin)
        self.check(f"audit: filtered to {a.slug} and provider.created, the change by admin:{a.admin_email} is listed",
                   self.audit_created)
        self.check("sign out: the session ends and /admin asks for the login again", self.sign_out)
        self.check(f"screenshots of the {len(SCREENSHOTS)} console pages saved as PNG", self.screenshots_saved)

    # 1. login

    def first_visit(self):
        self.driver.get(self.url("/admin"))
        self.at_path("/admin/login", "form#admin-login", "the login page")
        form = self.driver.find_element(By.CSS_SELECTOR, "form#admin-login")
        for name in ("email", "password", "csrf"):
            if not form.find_elements(By.NAME, name):
                raise CheckFailed(f"form#admin-login has no input name={name!r}")
        self.element("#sign-in", "the #sign-in button")
        self.screenshot("login")
        return self.driver.current_url.replace(self.base, "")

    def login_form(self, password):
        form = self.visible("form#admin-login", "the login form")
        self.fill(form, "email", self.a.admin_email)
        self.fill(form, "password", password)
        self.navigate(self.driver.find_element(By.ID, "sign-in"), "clicking #sign-in")

    def wrong_password(self):
        self.login_form(self.a.admin_password + "-wrong")
        err = self.visible(".error", "an element class=\"error\"")
        self.element("form#admin-login", "the login form again")
        if self.driver.find_elements(By.ID, "signins-chart") or self.driver.find_elements(By.ID, "sign-out"):
            raise CheckFailed(f"a wrong password signed in: the browser is at {self.path()} with the console's pages")
        return f"error: {err.text.strip()[:80]!r}"

    def sign_in(self):
        if self.path() != "/admin/login":
            self.driver.get(self.url("/admin/login"))
        self.login_form(self.a.admin_password)
        self.at_path("/admin", "#signins-chart", "the dashboard")
        chart = self.driver.find_element(By.ID, "signins-chart")
        if chart.tag_name.lower() != "svg":
            raise CheckFailed(f"#signins-chart is <{chart.tag_name}>, not an inline <svg>")
        missing = [n for n in NAV + ("sign-out",) if not self.driver.find_elements(By.ID, n)]
        if missing:
            raise CheckFailed(f"the dashboard lacks {', '.join('#' + m for m in missing)}")
        return "nav: " + " ".join(NAV) + ", sign-out"

    # 2. register the SP from its metadata

    def upload_form(self, slug, name, metadata_path):
        self.nav("nav-providers", "/admin/providers", "form#metadata-upload", "the providers page")
        form = self.visible("form#metadata-upload", "the metadata form")
        enctype = (form.get_attribute("enctype") or "").lower()
        if enctype != "multipart/form-data":
            raise CheckFailed(f"form#metadata-upload has enctype {enctype!r}, not multipart/form-data")
        self.fill(form, "slug", slug)
        self.fill(form, "name", name)
        form.find_element(By.CSS_SELECTOR, "input[type=file][name=metadata]").send_keys(metadata_path)
        self.fill(form, "url", "")
        self.navigate(self.driver.find_element(By.ID, "register-metadata"), "clicking #register-metadata")

    def upload_metadata(self, sp):
        path = sp.write_metadata(self.a.work)
        self.upload_form(sp.slug, "Console SP (python3-saml)", path)
        self.at_path(f"/admin/providers/{sp.slug}", "#notice", f"the provider's page with a notice")
        notice = self.driver.find_element(By.ID, "notice").text.strip()
        return f"{os.path.basename(path)}; notice: {notice[:100]!r}"

    def definition(self, sp):
        text = self.element("pre#definition", "<pre id=\"definition\">").text
        missing = [v for v in (sp.slug, sp.entity_id, sp.acs_url) if v not in text]
        if missing:
            raise CheckFailed(f"#definition lacks {missing}:\n{text[:1500]}")
        return f"{len(text.splitlines())} lines"

    # 3. preview

    def preview(self):
        d = self.driver
        if self.path() != f"/admin/providers/{self.a.slug}":
            d.get(self.url(f"/admin/providers/{self.a.slug}"))
        form = self.visible("form#preview", "the preview form")
        had_result = bool(d.find_elements(By.ID, "preview-json"))
        old = d.find_element(By.TAG_NAME, "html")
        self.fill(form, "customer", self.a.customer_email)
        d.find_element(By.ID, "show-preview").click()
        # the result comes with a new page (or, were it filled in place, into a fresh #preview-json)
        pre = self.wait(lambda dr: (self._stale(old) or not had_result)
                        and (lambda e: e if e.text.strip() else False)(dr.find_element(By.ID, "preview-json")),
                        "<pre id=\"preview-json\"> with the preview")
        text = pre.text
        try:
            data = json.loads(text)
        except ValueError as e:
            raise CheckFailed(f"#preview-json is not JSON ({e}):\n{text[:800]}")
        self.state["preview"] = data
        if not re.search(r'"allowed"\s*:\s*true', text) or (data.get("access") or {}).get("allowed") is not True:
            raise CheckFailed(f"the preview does not show \"allowed\" : true:\n{text[:800]}")
        subject = (data.get("subject") or {}).get("value")
        if self.a.customer_email not in text and not subject:
            raise CheckFailed(f"the preview names neither {self.a.customer_email} nor a subject:\n{text[:800]}")
        self.screenshot("provider-detail")
        names = ",".join(x.get("name", "?") for x in data.get("attributes") or [])
        return f"subject {subject!r}, attributes {names}"

    # 4. the customer signs in; python3-saml is the SP

    def customer_sso(self):
        b = Browser(self.base)
        r = b.login(self.a.customer_email, self.a.customer_password)
        if r.status_code != 303:
            raise CheckFailed(f"POST /login answered {r.status_code}, not 303: {r.text[:300]!r}")
        r = b.get(f"/sso/{self.a.slug}")
        form = parse_post_form(r.text) if "html" in r.headers.get("content-type", "") else None
        if r.status_code != 200 or not form:
            raise CheckFailed(f"GET /sso/{self.a.slug}: {r.status_code}, no auto-POST form: {r.text[:400]!r}")
        sp = self.state["sp"]
        if form.get("action") != sp.acs_url:
            raise CheckFailed(f"the form posts to {form.get('action')!r}, not the ACS {sp.acs_url}")
        response = form["fields"].get("SAMLResponse")
        if not response:
            raise CheckFailed(f"the form has no SAMLResponse input: {sorted(form['fields'])}")
        self.state["saml_response"] = response
        md = requests.get(self.url("/saml/metadata"), timeout=10)
        if md.status_code != 200:
            raise CheckFailed(f"GET /saml/metadata: {md.status_code}")
        self.state["idp_metadata"] = md.text
        return f"{len(base64.b64decode(response))} bytes of XML to {sp.acs_url}"

    def python3_saml_accepts(self, sp):
        auth, errors = sp.accept(self.state["saml_response"], self.state["idp_metadata"])
        if errors or not auth.is_authenticated():
            raise CheckFailed(f"python3-saml refused it: {errors}")
        email = self.a.customer_email
        attrs = auth.get_attributes()
        self.state["received"] = {"name_id": auth.get_nameid(), "attributes": attrs}
        want = {"email": [email], "first_name": ["Ann"], "last_name": ["Lee"]}
        wrong = {k: attrs.get(k) for k, v in want.items() if attrs.get(k) != v}
        if auth.get_nameid() != email or auth.get_nameid_format() != NAMEID_EMAIL or wrong:
            raise CheckFailed(f"NameID {auth.get_nameid()!r} ({auth.get_nameid_format()}), attributes {attrs}; "
                              f"wanted NameID {email} (emailAddress) and {want}")
        return f"NameID {auth.get_nameid()}, attributes {', '.join(f'{k}={v}' for k, v in sorted(attrs.items()))}"

    def python3_saml_refuses_other_audience(self, sp):
        other = sp.entity_id.replace(f"/{sp.slug}/", "/someone-else/")
        auth, errors = sp.accept(self.state["saml_response"], self.state["idp_metadata"], entity_id=other)
        if not errors:
            raise CheckFailed(f"python3-saml accepted the response as {other}")
        return errors[-1][:100]

    def preview_matches(self):
        p, got = self.state.get("preview"), self.state.get("received")
        if not p or not got:
            raise CheckFailed("no preview or no accepted response to compare")
        preview = {x["name"]: x["values"] for x in p.get("attributes") or []}
        problems = []
        if preview != got["attributes"]:
            problems.append(f"preview attributes {preview} != received {got['attributes']}")
        subject = (p.get("subject") or {}).get("value")
        if subject != got["name_id"]:
            problems.append(f"preview subject {subject!r} != NameID {got['name_id']!r}")
        if problems:
            raise CheckFailed("\n".join(problems))
        return f"{len(preview)} attributes, subject {subject}"

    # 5. dashboard after the sign-in

    def dashboard(self):
        self.nav("nav-dashboard", "/admin", "#signins-chart", "the dashboard")
        chart = self.driver.find_element(By.ID, "signins-chart")
        if chart.tag_name.lower() != "svg":
            raise CheckFailed(f"#signins-chart is <{chart.tag_name}>, not <svg>")
        size = chart.size
        if not size.get("width") or not size.get("height"):
            raise CheckFailed(f"the chart has no area on screen: {size}")
        self.screenshot("dashboard")
        return f"{int(size['width'])}×{int(size['height'])} px"

    # 6. escaping and CSRF

    def xss(self):
        sp = ServiceProvider(self.a.sp_host, self.a.slug + "-xss")
        self.upload_form(sp.slug, XSS, sp.write_metadata(self.a.work))
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#notice, .error"), "the result (#notice or .error)")
        self.no_alert()
        source = self.driver.page_source
        scripts = self.driver.find_elements(By.XPATH, "//script[contains(., 'alert(1)')]")
        problems = []
        if XSS_ESCAPED not in source:
            problems.append(f"the page does not show the name as text ({XSS_ESCAPED} not in the page source)")
        if scripts:
            problems.append(f"{len(scripts)} <script> element(s) with alert(1) in the DOM")
        # the bytes the server sent, for the page we are on and the providers list
        s = self.admin_requests()
        raw_pages = [self.url("/admin/providers")]
        if self.path() == f"/admin/providers/{sp.slug}":
            raw_pages.append(self.url(self.path()))
        for page in raw_pages:
            r = s.get(page, timeout=10, allow_redirects=False)
            if "<script>alert(1)" in r.text:
                problems.append(f"GET {page.replace(self.base, '')} sends {XSS} unescaped")
        if problems:
            raise CheckFailed("\n".join(problems))
        shown = "registered" if self.path() == f"/admin/providers/{sp.slug}" else "refused with an error"
        return f"{shown}; pages checked: {', '.join(p.replace(self.base, '') for p in raw_pages)}"

    def providers_table(self):
        self.nav("nav-providers", "/admin/providers", "table#providers", "the providers page")
        href = f"/admin/providers/{self.a.slug}"
        links = [el for el in self.driver.find_elements(By.CSS_SELECTOR, "table#providers a")
                 if urlsplit(el.get_attribute("href") or "").path.rstrip("/") == href]
        if not links or links[0].text.strip() != self.a.slug:
            texts = [(el.text, el.get_attribute("href")) for el in self.driver.find_elements(By.CSS_SELECTOR, "table#providers a")]
            raise CheckFailed(f"no link {self.a.slug!r} → {href} in table#providers; links: {texts}")
        self.no_alert()
        rows = self.driver.find_elements(By.CSS_SELECTOR, "table#providers tr")
        self.screenshot("providers")
        return f"{len(rows)} rows"

    def csrf_post(self, session, slug, csrf=None):
        sp = ServiceProvider(self.a.sp_host, slug)
        data = {"slug": slug, "name": f"CSRF {slug}", "url": ""}
        if csrf is not None:
            data["csrf"] = csrf
        files = {"metadata": (f"{slug}.xml", sp.metadata().encode(), "application/samlmetadata+xml")}
        return session.post(self.url("/admin/providers/metadata"), data=data, files=files, timeout=10,
                            allow_redirects=False)

    def csrf_refused(self):
        s = self.admin_requests()
        page = s.get(self.url("/admin/providers"), timeout=10, allow_redirects=False)
        if page.status_code != 200 or 'id="providers"' not in page.text:
            raise CheckFailed(f"with the browser's cookies GET /admin/providers gives {page.status_code} "
                              f"{page.headers.get('location') or ''} (the session did not carry over)")
        r = self.csrf_post(s, "csrf-probe")
        if r.status_code != 403:
            raise CheckFailed(f"POST without csrf: {r.status_code} {r.headers.get('location') or ''} {r.text[:200]!r}")
        after = s.get(self.url("/admin/providers"), timeout=10, allow_redirects=False)
        if "csrf-probe" in after.text:
            raise CheckFailed("csrf-probe is listed on /admin/providers after the refused POST")
        probe = s.get(self.url("/admin/providers/csrf-probe"), timeout=10, allow_redirects=False)
        if probe.status_code == 200:
            raise CheckFailed("/admin/providers/csrf-probe exists after the refused POST")
        return f"403; /admin/providers/csrf-probe → {probe.status_code}"

    def csrf_control(self):
        s = self.admin_requests()
        page = s.get(self.url("/admin/providers"), timeout=10, allow_redirects=False)
        fields = form_fields(page.text, "metadata-upload")
        if fields is None or not fields.get("csrf"):
            raise CheckFailed(f"form#metadata-upload on /admin/providers has no hidden csrf input: {fields}")
        r = self.csrf_post(s, "csrf-control", csrf=fields["csrf"])
        location = urlsplit(r.headers.get("location") or "").path
        if r.status_code not in (302, 303) or location != "/admin/providers/csrf-control":
            raise CheckFailed(f"POST with csrf: {r.status_code} {r.headers.get('location')!r} {r.text[:300]!r}")
        return f"{r.status_code} → {location}"

    # 7. the other pages

    def customers(self):
        self.nav("nav-customers", "/admin/customers", "input[name=query]", "the customers page")
        query = self.visible("input[name=query]", "the search field")
        old = self.driver.find_element(By.TAG_NAME, "html")
        query.clear()
        query.send_keys(self.a.customer_email + Keys.ENTER)
        self.wait(lambda d: self._stale(old), "a new page after the search")
        table = self.element("table#customers", "table#customers")
        rows = [r for r in table.find_elements(By.CSS_SELECTOR, "tr") if self.a.customer_email in r.text]
        if not rows:
            raise CheckFailed(f"table#customers has no row with {self.a.customer_email}: {table.text[:400]!r}")
        self.screenshot("customers")
        return " | ".join(rows[0].text.split("\n"))[:120]

    def keys(self):
        self.nav("nav-keys", "/admin/keys", "table#keys", "the keys page")
        rows = [r for r in self.driver.find_elements(By.CSS_SELECTOR, "table#keys tr")
                if r.find_elements(By.TAG_NAME, "td")]
        if not rows:
            raise CheckFailed("table#keys has no key rows")
        self.visible("#rotate", "the #rotate button")
        self.screenshot("keys")
        return f"{len(rows)} keys"

    def audit_rows(self, provider, kind):
        """Filters the audit page; returns the rows as lists of cell texts."""
        if self.path() != "/admin/audit" or not self.driver.find_elements(By.ID, "audit-filter"):
            self.nav("nav-audit", "/admin/audit", "form#audit-filter", "the audit page")
        form = self.visible("form#audit-filter", "the audit filter")
        self.fill(form, "provider", provider)
        self.fill(form, "customer", "")
        self.fill(form, "kind", kind)
        self.navigate(self.driver.find_element(By.ID, "filter"), "clicking #filter")
        table = self.element("table#audit", "table#audit")
        return [[c.text.strip() for c in r.find_elements(By.TAG_NAME, "td")]
                for r in table.find_elements(By.CSS_SELECTOR, "tr") if r.find_elements(By.TAG_NAME, "td")]

    def audit_find(self, provider, kind, match, what):
        """Filters until a row matches: sign-in rows are written in batches (STOREIDP_AUDIT_BATCH_MS),
        so the filter is submitted again while waiting."""
        seen = {}

        def found(_):
            try:
                seen["rows"] = self.audit_rows(provider, kind)
            except (NoSuchElementException, StaleElementReferenceException) as e:
                seen["error"] = f"{type(e).__name__}: {(e.msg or '').strip()[:300]}"
                raise
            return [r for r in seen["rows"] if match(r)]

        try:
            rows = self.wait(found, what)
        except CheckFailed as e:
            raise CheckFailed(f"{e}\nrows: {seen.get('rows')}\nlast error: {seen.get('error')}") from None
        others = [r for r in seen["rows"] if kind not in r]
        if others:
            raise CheckFailed(f"filtered to kind {kind}, the table also lists {others[:3]}")
        return rows

    def audit_signin(self):
        rows = self.audit_find(self.a.slug, "saml.response", lambda r: "saml.response" in r,
                               f"a saml.response row for {self.a.slug}")
        return " | ".join(rows[0])[:160]

    def audit_created(self):
        actor = f"admin:{self.a.admin_email}"
        rows = self.audit_find(self.a.slug, "provider.created",
                               lambda r: "provider.created" in r and any(actor in c for c in r),
                               f"a provider.created row by {actor}")
        self.screenshot("audit")
        return " | ".join(rows[0])[:160]

    def sign_out(self):
        before = self.admin_requests()  # the session's cookies, replayed after the sign-out
        if not self.driver.find_elements(By.ID, "sign-out"):
            self.driver.get(self.url("/admin"))
        button = self.visible("#sign-out", "the #sign-out button")
        self.navigate(button, "clicking #sign-out")
        self.driver.get(self.url("/admin/providers"))
        self.at_path("/admin/login", "form#admin-login", "the login page after signing out")
        r = before.get(self.url("/admin/providers"), timeout=10, allow_redirects=False)
        if r.status_code == 200 and 'id="providers"' in r.text:
            raise CheckFailed("the signed-out session's cookie still opens /admin/providers")
        return f"/admin/providers → {self.path()}; the old session cookie gets {r.status_code}"

    def screenshots_saved(self):
        problems = []
        for name in SCREENSHOTS:
            path = os.path.join(self.a.screenshots, f"{name}.png")
            try:
                with open(path, "rb") as f:
                    head = f.read(8)
                if head != b"\x89PNG\r\n\x1a\n":
                    problems.append(f"{path} is not a PNG")
            except OSError:
                problems.append(f"{name}.png missing")
        if problems:
            raise CheckFailed("; ".join(problems))
        return self.a.screenshots


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="StoreIdP base URL")
    p.add_argument("--work", required=True, help="a scratch folder (metadata files, chromedriver.log)")
    p.add_argument("--screenshots", required=True, help="folder for the PNG screenshots")
    p.add_argument("--admin-email", required=True)
    p.add_argument("--customer-email", required=True)
    p.add_argument("--slug", default="console-sp", help="the slug the SP is registered under")
    p.add_argument("--sp-host", default="http://127.0.0.1:9",
                   help="where the SP's entity ID and ACS URL live (nothing needs to listen there)")
    p.add_argument("--timeout", type=float, default=float(os.environ.get("STOREIDP_BROWSER_TIMEOUT", "15")),
                   help="seconds an explicit wait gives an element or page (default 15)")
    p.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    p.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    a = p.parse_args(argv)
    a.admin_password = os.environ.get("STOREIDP_TEST_ADMIN_PASSWORD") or p.error("STOREIDP_TEST_ADMIN_PASSWORD is not set")
    a.customer_password = os.environ.get("STOREIDP_TEST_CUSTOMER_PASSWORD") or p.error("STOREIDP_TEST_CUSTOMER_PASSWORD is not set")
    for path in (a.chromedriver, a.chromium):
        if not os.access(path, os.X_OK):
            print(f"admin_console.py: {path} is missing (Debian packages chromium, chromium-driver)", file=sys.stderr)
            return 2
    a.work = os.path.abspath(a.work)
    a.screenshots = os.path.abspath(a.screenshots)
    os.makedirs(a.screenshots, exist_ok=True)

    run = Run(a)
    try:
        run.run()
    except Stop as s:
        print(f"admin_console.py: stopped after '{s}' failed: the checks after it need it")
    except Exception:  # a bug in this script or an unexpected browser state: one failure, with the trace
        run.failed += 1
        print("FAILED: admin_console.py raised")
        for line in traceback.format_exc().splitlines()[-15:]:
            print(f"    {line}")
        run.where()
    finally:
        if run.driver is not None:
            try:
                run.driver.quit()
            except WebDriverException:
                pass
    sys.stdout.flush()
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
