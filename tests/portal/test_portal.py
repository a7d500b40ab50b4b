"""The web portal in a real browser: Debian's chromium driven over WebDriver (Selenium).

A venue owner registers a venue (first with every field wrong, to see the errors next to
the fields), the Hà Nội health department approves it, the ministry's signing run
(`khaibao venue sign-approved`) signs it, and the owner downloads the PDF poster, whose QR
is rendered with poppler and scanned back with the core's scanner (`khaibao scan`). The
owner requests the entry/exit data of the venue, the department approves it and the owner
downloads the CSV. The Hồ Chí Minh City department gets 403 on the Hà Nội venue. The
department previews and publishes an exposure window.

Every page is saved as a screenshot under the output folder and checked: no console error
(a 4xx page may log only its own status), no script element, the strict
Content-Security-Policy header, a CSRF field equal to the cookie in every POST form, a
label on every field, and axe-core (all its default rules) with no serious or critical
violation; minor and moderate ones are reported. The results are printed per page and
written to accessibility.json and summary.txt there. The pages are also checked at 360 px
wide and at 200 % zoom for horizontal scrolling. A client without any JavaScript (plain
HTTP) registers a venue through the same forms, and forms sent without the CSRF token are
refused.

Environment: KHAIBAO_BIN (the CLI), KHAIBAO_PORTAL_OUT (output folder), AXE_JS (axe.min.js).
"""

import base64
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

BIN = os.environ["KHAIBAO_BIN"]
OUT = Path(os.environ["KHAIBAO_PORTAL_OUT"])
AXE = Path(os.environ["AXE_JS"]).read_text(encoding="utf-8")

results = []  # one dict per page: name, url, axe violations, console errors
expected_status = {}  # page name -> the 4xx status the page is answered with on purpose

# The Content-Security-Policy every portal answer carries: no script from anywhere.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def run(*args, **kw):
    return subprocess.run([BIN, *args], check=True, capture_output=True, text=True, **kw)


def start_server(work):
    run("keygen", "--keys", str(work / "keys"))
    proc = subprocess.Popen(
        [BIN, "serve", "--listen", "127.0.0.1:0", "--db", str(work / "authority.db"),
         "--keys", str(work / "keys"), "--demo-data"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines = []
    while len(lines) < 5:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("serve stopped: " + proc.stderr.read())
        lines.append(line.strip())
    base = lines[0].split()[1].replace("127.0.0.1", "localhost")
    assert lines[1] == f"portal {lines[0].split()[1]}/portal", lines[1]
    logins = {}
    for line in lines[2:]:
        m = re.match(r"demo login (\S+) password (\S+)", line)
        assert m, line
        logins[m.group(1)] = m.group(2)
    return proc, base, logins


def browser(downloads, profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", f"--user-data-dir={profile}",
              "--window-size=1280,1100", "--lang=vi"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.execute_cdp_cmd("Browser.setDownloadBehavior",
                      {"behavior": "allow", "downloadPath": str(downloads)})
    return d


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


PLAIN = urllib.request.build_opener(NoRedirect)


class Plain:
    """An HTTP client with no JavaScript at all, keeping its cookies (Secure ones too: the
    portal runs on localhost here)."""

    def __init__(self, base, jar=None):
        self.base = base
        self.jar = dict(jar or {})

    def send(self, path, fields=None):
        url = path if path.startswith("http") else self.base + path
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        req = urllib.request.Request(url, data=data)
        if self.jar:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.jar.items()))
        try:
            r = PLAIN.open(req)
            status, headers, body = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        for c in headers.get_all("Set-Cookie") or []:
            attrs = [a.strip().lower() for a in c.split(";")[1:]]
            for flag in ("httponly", "secure", "samesite=strict"):
                assert flag in attrs, f"cookie without {flag}: {c.split('=')[0]}"
            k, v = c.split(";")[0].split("=", 1)
            if "max-age=0" in attrs:
                self.jar.pop(k, None)
            else:
                self.jar[k] = v
        return status, headers, body.decode("utf-8", "replace")


def driver_cookies(d):
    return {c["name"]: c["value"] for c in d.get_cookies()}


FORMS_JS = """
return [...document.querySelectorAll('form')].map(f => ({
  action: f.getAttribute('action'), method: (f.getAttribute('method') || 'get').toLowerCase(),
  csrf: f.querySelector('input[type=hidden][name=csrf]') ?
        f.querySelector('input[type=hidden][name=csrf]').value : null}));
"""
UNLABELLED_JS = """
return [...document.querySelectorAll('input, select, textarea')]
  .filter(e => !['hidden', 'submit', 'button', 'reset'].includes(e.type))
  .filter(e => ![...(e.labels || [])].some(l => l.textContent.trim()))
  .map(e => e.name || e.id || e.outerHTML);
"""
AXE_RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document).then(r => done({
  violations: r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                      help: v.help})),
  passes: r.passes.length, incomplete: r.incomplete.map(v => v.id)}))
 .catch(e => done({error: String(e)}));
"""


def screenshot(d, path):
    """The whole page, not only the window (CSS pixels times the device pixel ratio)."""
    w, h = d.execute_script("return [document.documentElement.scrollWidth, "
                            "document.documentElement.scrollHeight]")
    shot = d.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


def check_page(d, name):
    """Screenshot, console errors, markup and headers, and axe-core for the page now shown."""
    screenshot(d, OUT / f"{name}.png")
    console = [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]
    # A page answered with a 4xx on purpose (a validation error, a refusal) logs that
    # status for its own URL; nothing else is allowed.
    status = expected_status.get(name)
    own = d.current_url.split("#")[0]
    unexpected = [m for m in console
                  if not (status and m.startswith(own) and f"status of {status}" in m)]
    assert d.execute_script("return document.scripts.length") == 0, f"{name}: a script element"
    jar = driver_cookies(d)
    for f in d.execute_script(FORMS_JS):
        if f["method"] == "post":
            assert f["csrf"] and f["csrf"] == jar.get("kb_csrf"), f"{name}: form {f} without CSRF"
    unlabelled = d.execute_script(UNLABELLED_JS)
    assert not unlabelled, f"{name}: fields without a label {unlabelled}"
    st, headers, _ = Plain("", jar).send(own)
    assert headers.get("Content-Security-Policy") == CSP, f"{name}: CSP {headers.get('Content-Security-Policy')}"
    assert headers.get("X-Frame-Options") == "DENY" and headers.get("X-Content-Type-Options") == "nosniff", name
    d.execute_script(AXE)
    axe = d.execute_async_script(AXE_RUN_JS)
    assert "error" not in axe, f"{name}: axe-core failed {axe}"
    violations = axe["violations"]
    blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
    results.append({"page": name, "url": d.current_url, "title": d.title,
                    "axe_violations": violations, "axe_rules_passed": axe["passes"],
                    "axe_incomplete": axe["incomplete"],
                    "console_errors": console, "unexpected_console_errors": unexpected})
    summary = ", ".join(f"{v['id']} ({v['impact']}, {v['nodes']})" for v in violations) or "none"
    print(f"  {name}: axe {axe['passes']} rules passed, violations: {summary}; "
          f"console errors {len(console)} ({len(unexpected)} unexpected)", flush=True)
    assert not unexpected, f"{name}: console errors {unexpected}"
    assert not blocking, f"{name}: serious or critical axe violations {blocking}"


def no_horizontal_scroll(d, name):
    w = d.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert w[0] <= w[1], f"{name}: horizontal scroll {w}"


def navigate(d, element):
    """Clicks a link or a form's button and waits until the next page has replaced this one
    (the old document carries a mark the new one lacks)."""
    d.execute_script("window.kbOldPage = true")
    element.click()
    WebDriverWait(d, 15, ignored_exceptions=[WebDriverException]).until(
        lambda d: d.execute_script("return !window.kbOldPage && document.readyState === 'complete'"))


def login(d, base, name, password):
    d.get(base + "/portal/login")
    d.find_element(By.ID, "login").send_keys(name)
    d.find_element(By.ID, "password").send_keys(password)
    navigate(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "nav form"))


def logout(d):
    navigate(d, d.find_element(By.CSS_SELECTOR, "nav form button"))
    WebDriverWait(d, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "nav form"))


def set_value(d, element_id, value):
    d.execute_script("arguments[0].value = arguments[1]", d.find_element(By.ID, element_id), value)


def wait_file(folder, suffix, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if done:
            time.sleep(0.3)
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    work = Path(tempfile.mkdtemp(prefix="khaibao-portal-"))
    downloads = work / "downloads"
    downloads.mkdir()
    proc, base, logins = start_server(work)
    d = browser(downloads, work / "chromium-profile")
    try:
        flow(d, base, logins, work, downloads)
    finally:
        d.quit()
        proc.terminate()
        proc.wait(timeout=10)
        (OUT / "accessibility.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
        with open(OUT / "summary.txt", "w", encoding="utf-8") as f:
            for r in results:
                found = ", ".join(f"{v['id']} ({v['impact']})" for v in r["axe_violations"]) or "none"
                f.write(f"{r['page']}: axe-core {r['axe_rules_passed']} rules passed, "
                        f"violations: {found}; console errors {len(r['console_errors'])} "
                        f"({len(r['unexpected_console_errors'])} unexpected)\n")
    print(f"{len(results)} pages checked; screenshots and accessibility.json in {OUT}")
    print(f"{len(results)} passed, 0 failed")


def flow(d, base, logins, work, downloads):
    # The owner: the start page, then the form sent with every field wrong.
    d.get(base + "/portal")
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    check_page(d, "01-home")
    navigate(d, d.find_element(By.CSS_SELECTOR, "a.button"))
    check_page(d, "02-register-form")
    d.find_element(By.ID, "contact").send_keys("12345")
    d.find_element(By.ID, "stay").clear()
    d.find_element(By.ID, "stay").send_keys("0")
    navigate(d, d.find_element(By.CSS_SELECTOR, "button[value=register]"))
    for field in ("name", "address", "province", "commune", "category", "contact", "stay", "password"):
        err = d.find_element(By.ID, f"{field}-error")
        assert err.text, field
        described = d.find_element(By.ID, field).get_attribute("aria-describedby")
        assert described == f"{field}-error", field
    expected_status["03-register-errors"] = 422
    check_page(d, "03-register-errors")
    # The same errors in English.
    navigate(d, d.find_element(By.CSS_SELECTOR, "a[hreflang=en]"))
    navigate(d, d.find_element(By.CSS_SELECTOR, "button[value=register]"))
    assert "Choose a province" in d.find_element(By.ID, "province-error").text
    expected_status["04-register-errors-en"] = 422
    check_page(d, "04-register-errors-en")
    navigate(d, d.find_element(By.CSS_SELECTOR, "a[hreflang=vi]"))

    # Filled in properly: province, then its communes (no JavaScript: a second step).
    d.get(base + "/portal/register")
    d.find_element(By.ID, "name").send_keys("Quán cà phê Hồ Gươm")
    d.find_element(By.ID, "address").send_keys("5 Đinh Tiên Hoàng")
    Select(d.find_element(By.ID, "province")).select_by_value("1")
    navigate(d, d.find_element(By.CSS_SELECTOR, "button[value=communes]"))
    assert len(Select(d.find_element(By.ID, "commune")).options) > 100
    Select(d.find_element(By.ID, "commune")).select_by_visible_text("Phường Hoàn Kiếm")
    Select(d.find_element(By.ID, "category")).select_by_value("cafe")
    d.find_element(By.ID, "contact").send_keys("0912 345 678")
    d.find_element(By.ID, "login").send_keys("owner.hoguom")
    d.find_element(By.ID, "password").send_keys("correct horse battery")
    check_page(d, "05-register-filled")
    navigate(d, d.find_element(By.CSS_SELECTOR, "button[value=register]"))
    assert "/portal/venues/" in d.current_url, d.current_url
    venue_url = d.current_url.split("?")[0]
    session = d.get_cookie("kb_session")
    assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Strict", session
    assert d.find_element(By.ID, "status").text == "Chờ duyệt"
    check_page(d, "06-venue-pending")
    logout(d)

    # The Hà Nội department approves it from its queue.
    login(d, base, "demo.hanoi", logins["demo.hanoi"])
    assert d.current_url.endswith("/portal/province"), d.current_url
    queue = d.find_element(By.CSS_SELECTOR, "table[aria-labelledby=queue]").text
    assert "Quán cà phê Hồ Gươm" in queue
    check_page(d, "07-approval-queue")
    d.get(venue_url)
    navigate(d, d.find_element(By.ID, "approve"))
    assert d.find_element(By.ID, "status").text == "Đã duyệt, chờ ký mã"
    check_page(d, "08-venue-approved")
    logout(d)

    # Another province's department: 403.
    login(d, base, "demo.hcm", logins["demo.hcm"])
    expected_status["09-other-province-403"] = 403
    d.get(venue_url)
    assert d.find_element(By.TAG_NAME, "h1").text == "Không có quyền"
    hcm = Plain(base, driver_cookies(d))
    for path in ("", "/poster.pdf", "/exposure"):
        assert hcm.send(venue_url + path)[0] == 403, path
    assert hcm.send(venue_url + "/approve", {"csrf": hcm.jar["kb_csrf"]})[0] == 403
    check_page(d, "09-other-province-403")
    logout(d)

    # The ministry's signing run.
    signed = run("venue", "sign-approved", "--db", str(work / "authority.db"),
                 "--keys", str(work / "keys")).stdout
    assert "signed " in signed, signed
    manual = signed.split("manual code ")[1].splitlines()[0]

    # The owner downloads the poster and it scans back to the signed code.
    login(d, base, "owner.hoguom", "correct horse battery")
    d.get(venue_url)
    assert d.find_element(By.ID, "status").text == "Đang hoạt động"
    assert d.find_element(By.ID, "manual-code").text == manual
    check_page(d, "10-poster-download")
    d.find_element(By.ID, "poster-pdf").click()
    pdf = wait_file(downloads, ".pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert manual in text and "Quán cà phê Hồ Gươm" in text, text
    subprocess.run(["pdftoppm", "-r", "60", "-gray", "-png", "-singlefile", str(pdf),
                    str(work / "poster")], check=True)
    scanned = run("scan", "--budget-ms", "10000", str(work / "poster.png")).stdout.split("\t")[1].strip()
    db = sqlite3.connect(work / "authority.db")
    stored = [json.loads(v)["code"] for (v,) in db.execute("SELECT value FROM portal_records WHERE kind = 'venue'")]
    assert scanned in stored and scanned.startswith("HTTPS://QR.KHAIBAO.VN/V#"), scanned
    # The owner asks for the venue's entry/exit data.
    set_value(d, "since", time.strftime("%Y-%m-%d", time.gmtime(time.time() - 7 * 86400)))
    set_value(d, "until", time.strftime("%Y-%m-%d", time.gmtime()))
    d.find_element(By.ID, "reason").send_keys("Ca bệnh ngày 1/12 đã đến quán")
    navigate(d, d.find_element(By.ID, "request-extraction"))
    check_page(d, "11-extraction-requested")
    logout(d)

    # The department approves the extraction, then looks at its audit trail.
    login(d, base, "demo.hanoi", logins["demo.hanoi"])
    d.get(base + "/portal/province#extractions")
    check_page(d, "12-extraction-queue")
    navigate(d, d.find_element(By.CSS_SELECTOR, "button[id^=approve-extraction-]"))
    trail = d.find_element(By.CSS_SELECTOR, "table[aria-labelledby=history]").text
    for action in ("portal.registered", "portal.approve", "portal.signed", "extraction.request", "extraction.approve"):
        assert action in trail, action
    check_page(d, "13-audit-trail")
    # An exposure window, previewed as phones receive it, then published.
    d.get(venue_url + "/exposure")
    set_value(d, "from", time.strftime("%Y-%m-%dT08:00", time.gmtime()))
    set_value(d, "until", time.strftime("%Y-%m-%dT10:00", time.gmtime()))
    navigate(d, d.find_element(By.CSS_SELECTOR, "button[value=preview]"))
    assert d.find_element(By.ID, "phone-text").text.startswith("Đi xét nghiệm")
    check_page(d, "14-exposure-preview")
    navigate(d, d.find_element(By.CSS_SELECTOR, "button[value=publish]"))
    assert "done=published" in d.current_url
    logout(d)

    # The owner downloads the CSV.
    login(d, base, "owner.hoguom", "correct horse battery")
    d.get(venue_url)
    check_page(d, "15-extraction-download")
    d.find_element(By.CSS_SELECTOR, "a[id^=download-]").click()
    csv = wait_file(downloads, ".csv")
    # No declaration was made at this venue: the export's header row alone (the rows
    # themselves are checked in tests/e2e/portal.rs, with sealed declarations).
    lines = csv.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("receipt,declared_at_vietnam,"), lines

    # A phone-sized screen and 200 % zoom: nothing scrolls sideways. The register form is
    # seen logged out, as a new owner sees it, with its errors at 360 px too.
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 360, "height": 800, "deviceScaleFactor": 1, "mobile": True})

    def narrow(name):
        assert d.execute_script("return window.innerWidth") == 360, name
        no_horizontal_scroll(d, name)
        check_page(d, name)

    d.get(venue_url)
    narrow("16-venue-360px")
    logout(d)
    d.get(base + "/portal/register")
    assert d.find_elements(By.ID, "name"), "the register form"
    narrow("17-register-360px")
    navigate(d, d.find_element(By.CSS_SELECTOR, "button[value=register]"))
    expected_status["18-register-errors-360px"] = 422
    narrow("18-register-errors-360px")
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 640, "height": 550, "deviceScaleFactor": 2, "mobile": False})
    d.get(base + "/portal/register")
    no_horizontal_scroll(d, "19-register-200pct")
    check_page(d, "19-register-200pct")
    # Keyboard: the first Tab reaches the skip link, which leads to the main content.
    d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    d.get(base + "/portal")
    d.find_element(By.TAG_NAME, "body").send_keys("\t")
    assert d.switch_to.active_element.get_attribute("class") == "skip"

    without_javascript(base)


def hidden_csrf(html):
    m = re.search(r'name="csrf" value="([0-9a-f]{32})"', html)
    assert m, "a form without its CSRF field"
    return m.group(1)


def without_javascript(base):
    """The forms as plain HTTP, with no JavaScript at all: a second owner registers (the
    commune list is the form's second step), and forms without the token are refused."""
    c = Plain(base)
    status, _, html = c.send("/portal/register")
    assert status == 200 and "<script" not in html
    csrf = hidden_csrf(html)
    assert c.jar.get("kb_csrf") == csrf
    venue = {"csrf": csrf, "name": "Nhà sách Tràng Tiền", "address": "44 Tràng Tiền",
             "province": "1", "category": "shop", "contact": "0987654321", "stay": "30",
             "login": "owner.trangtien", "password": "plain forms only"}
    status, _, html = c.send("/portal/register", {**venue, "step": "communes"})
    assert status == 200 and 'value="70"' in html, status
    # No token, a wrong one, or none in the cookie: refused, and nothing is registered.
    assert c.send("/portal/register", {**venue, "commune": "70", "csrf": ""})[0] == 403
    assert c.send("/portal/register", {**venue, "commune": "70", "csrf": "0" * 32})[0] == 403
    assert Plain(base).send("/portal/register", {**venue, "commune": "70"})[0] == 403
    status, headers, _ = c.send("/portal/register", {**venue, "commune": "70", "step": "register"})
    assert status == 303 and headers["Location"].startswith("/portal/venues/"), status
    assert "kb_session" in c.jar
    status, _, html = c.send(headers["Location"].split("?")[0])
    assert status == 200 and "Nhà sách Tràng Tiền" in html and "Chờ duyệt" in html
    assert c.send("/portal/logout", {"csrf": "0" * 32})[0] == 403
    assert c.send("/portal/logout", {"csrf": csrf})[0] == 303
    assert "kb_session" not in c.jar
    print("  forms without JavaScript: registration, communes step, CSRF refusals: ok")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"portal browser test failed: {e}", file=sys.stderr)
        print("0 passed, 1 failed")
        raise
