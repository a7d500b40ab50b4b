"""The web portal in a real browser: Debian's chromium driven over WebDriver (Selenium).

A venue owner registers a venue (first with every field wrong, to see the errors next to
the fields), the Hà Nội health department approves it, the ministry's offline signing run
(`khaibao venue sign-approved`) signs it, and the owner downloads the PDF poster, whose QR
is rendered with poppler and scanned back with the core's scanner (`khaibao scan`). The
owner requests the entry/exit data of the venue, the department approves it and the owner
downloads the CSV. The Hồ Chí Minh City department gets 403 on the Hà Nội venue. The
department previews and publishes an exposure window.

Every page is saved as a screenshot under the output folder, checked for console errors,
and checked with axe-core (WCAG 2 A and AA rules); the results are written to
accessibility.json and summary.txt there. The pages are also checked at 360 px wide and at
200 % zoom for horizontal scrolling.

Environment: KHAIBAO_BIN (the CLI), KHAIBAO_PORTAL_OUT (output folder), AXE_JS (axe.min.js).
"""

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

BIN = os.environ["KHAIBAO_BIN"]
OUT = Path(os.environ["KHAIBAO_PORTAL_OUT"])
AXE = Path(os.environ["AXE_JS"]).read_text(encoding="utf-8")

results = []  # one dict per page: name, url, axe violations, console errors
expected_console = {}  # page name -> substring of an expected console error


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


def browser(downloads):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,1100", "--lang=vi"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.execute_cdp_cmd("Browser.setDownloadBehavior",
                      {"behavior": "allow", "downloadPath": str(downloads)})
    return d


def check_page(d, name):
    """Screenshot, console errors and axe-core for the page now shown."""
    d.save_screenshot(str(OUT / f"{name}.png"))
    console = [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]
    allowed = expected_console.get(name)
    unexpected = [m for m in console if not (allowed and allowed in m)]
    d.execute_script(AXE)
    violations = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))))"
        ".catch(e => done([{id: 'axe-error', impact: String(e), nodes: 0}]));"
    )
    passes = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.passes.length));"
    )
    results.append({"page": name, "url": d.current_url, "title": d.title,
                    "axe_violations": violations, "axe_rules_passed": passes,
                    "console_errors": console, "unexpected_console_errors": unexpected})
    assert not unexpected, f"{name}: console errors {unexpected}"
    assert not violations, f"{name}: axe violations {violations}"


def no_horizontal_scroll(d, name):
    w = d.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert w[0] <= w[1], f"{name}: horizontal scroll {w}"


def login(d, base, name, password):
    d.get(base + "/portal/login")
    d.find_element(By.ID, "login").send_keys(name)
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()


def logout(d):
    d.find_element(By.CSS_SELECTOR, "nav form button").click()


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
    d = browser(downloads)
    try:
        flow(d, base, logins, work, downloads)
    finally:
        d.quit()
        proc.terminate()
        proc.wait(timeout=10)
        (OUT / "accessibility.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
        with open(OUT / "summary.txt", "w", encoding="utf-8") as f:
            for r in results:
                f.write(f"{r['page']}: axe-core {len(r['axe_violations'])} violations, "
                        f"{r['axe_rules_passed']} rules passed; console errors "
                        f"{len(r['console_errors'])} ({len(r['unexpected_console_errors'])} unexpected)\n")
    print(f"{len(results)} pages checked; screenshots and accessibility.json in {OUT}")
    print(f"{len(results)} passed, 0 failed")


def flow(d, base, logins, work, downloads):
    # The owner: the start page, then the form sent with every field wrong.
    d.get(base + "/portal")
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    check_page(d, "01-home")
    d.find_element(By.CSS_SELECTOR, "a.button").click()
    check_page(d, "02-register-form")
    d.find_element(By.ID, "contact").send_keys("12345")
    d.find_element(By.ID, "stay").clear()
    d.find_element(By.ID, "stay").send_keys("0")
    d.find_element(By.CSS_SELECTOR, "button[value=register]").click()
    for field in ("name", "address", "province", "commune", "category", "contact", "stay", "password"):
        err = d.find_element(By.ID, f"{field}-error")
        assert err.text, field
        described = d.find_element(By.ID, field).get_attribute("aria-describedby")
        assert described == f"{field}-error", field
    check_page(d, "03-register-errors")
    # The same errors in English.
    d.find_element(By.CSS_SELECTOR, "a[hreflang=en]").click()
    d.find_element(By.CSS_SELECTOR, "button[value=register]").click()
    assert "Choose a province" in d.find_element(By.ID, "province-error").text
    check_page(d, "04-register-errors-en")
    d.find_element(By.CSS_SELECTOR, "a[hreflang=vi]").click()

    # Filled in properly: province, then its communes (no JavaScript: a second step).
    d.get(base + "/portal/register")
    d.find_element(By.ID, "name").send_keys("Quán cà phê Hồ Gươm")
    d.find_element(By.ID, "address").send_keys("5 Đinh Tiên Hoàng")
    Select(d.find_element(By.ID, "province")).select_by_value("1")
    d.find_element(By.CSS_SELECTOR, "button[value=communes]").click()
    assert len(Select(d.find_element(By.ID, "commune")).options) > 100
    Select(d.find_element(By.ID, "commune")).select_by_visible_text("Phường Hoàn Kiếm")
    Select(d.find_element(By.ID, "category")).select_by_value("cafe")
    d.find_element(By.ID, "contact").send_keys("0912 345 678")
    d.find_element(By.ID, "login").send_keys("owner.hoguom")
    d.find_element(By.ID, "password").send_keys("correct horse battery")
    check_page(d, "05-register-filled")
    d.find_element(By.CSS_SELECTOR, "button[value=register]").click()
    assert "/portal/venues/" in d.current_url, d.current_url
    venue_url = d.current_url.split("?")[0]
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
    d.find_element(By.ID, "approve").click()
    assert d.find_element(By.ID, "status").text == "Đã duyệt, chờ ký mã"
    check_page(d, "08-venue-approved")
    logout(d)

    # Another province's department: 403.
    login(d, base, "demo.hcm", logins["demo.hcm"])
    expected_console["09-other-province-403"] = "403"
    d.get(venue_url)
    assert d.find_element(By.TAG_NAME, "h1").text == "Không có quyền"
    cookie = d.get_cookie("kb_session")["value"]
    req = urllib.request.Request(venue_url, headers={"Cookie": f"kb_session={cookie}"})
    try:
        urllib.request.urlopen(req)
        raise AssertionError("expected 403")
    except urllib.error.HTTPError as e:
        assert e.code == 403, e.code
    check_page(d, "09-other-province-403")
    logout(d)

    # The ministry's offline signing run.
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
    d.find_element(By.ID, "request-extraction").click()
    check_page(d, "11-extraction-requested")
    logout(d)

    # The department approves the extraction, then looks at its audit trail.
    login(d, base, "demo.hanoi", logins["demo.hanoi"])
    d.get(base + "/portal/province#extractions")
    check_page(d, "12-extraction-queue")
    d.find_element(By.CSS_SELECTOR, "button[id^=approve-extraction-]").click()
    trail = d.find_element(By.CSS_SELECTOR, "table[aria-labelledby=history]").text
    for action in ("portal.registered", "portal.approve", "portal.signed", "extraction.request", "extraction.approve"):
        assert action in trail, action
    check_page(d, "13-audit-trail")
    # An exposure window, previewed as phones receive it, then published.
    d.get(venue_url + "/exposure")
    set_value(d, "from", time.strftime("%Y-%m-%dT08:00", time.gmtime()))
    set_value(d, "until", time.strftime("%Y-%m-%dT10:00", time.gmtime()))
    d.find_element(By.CSS_SELECTOR, "button[value=preview]").click()
    assert d.find_element(By.ID, "phone-text").text.startswith("Đi xét nghiệm")
    check_page(d, "14-exposure-preview")
    d.find_element(By.CSS_SELECTOR, "button[value=publish]").click()
    assert "done=published" in d.current_url
    logout(d)

    # The owner downloads the CSV.
    login(d, base, "owner.hoguom", "correct horse battery")
    d.get(venue_url)
    check_page(d, "15-extraction-download")
    d.find_element(By.CSS_SELECTOR, "a[id^=download-]").click()
    csv = wait_file(downloads, ".csv")
    header = csv.read_text(encoding="utf-8").splitlines()[0]
    assert "receipt" in header or "," in header, header

    # A phone-sized screen and 200 % zoom: nothing scrolls sideways.
    d.set_window_size(360, 800)
    for url, name in ((venue_url, "16-venue-360px"), (base + "/portal/register", "17-register-360px")):
        d.get(url)
        no_horizontal_scroll(d, name)
        check_page(d, name)
    d.set_window_size(1280, 1100)
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 640, "height": 550, "deviceScaleFactor": 2, "mobile": False})
    d.get(base + "/portal/register")
    no_horizontal_scroll(d, "18-register-200pct")
    check_page(d, "18-register-200pct")
    # Keyboard: the first Tab reaches the skip link, which leads to the main content.
    d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    d.get(base + "/portal")
    d.find_element(By.TAG_NAME, "body").send_keys("\t")
    assert d.switch_to.active_element.get_attribute("class") == "skip"


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"portal browser test failed: {e}", file=sys.stderr)
        print("0 passed, 1 failed")
        raise
