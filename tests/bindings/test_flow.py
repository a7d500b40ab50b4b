"""The app flows through the generated Python binding, against the real release cdylib and a
real authority server on loopback.

Run by tests/run.sh, which sets KHAIBAO_PY_DIR (generated module + library) and
KHAIBAO_BIN (the authority CLI)."""

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.environ["KHAIBAO_PY_DIR"])
sys.path.insert(0, os.path.dirname(__file__))

import khaibao  # noqa: E402
import khaibao_core as core  # noqa: E402
from pngluma import read_gray_png  # noqa: E402

BIN = os.environ["KHAIBAO_BIN"]


def public_keys(path):
    with open(path) as f:
        fields = dict(line.split("=", 1) for line in f.read().split())
    return (
        bytes.fromhex(fields["kid"]),
        bytes.fromhex(fields["signing_public"]),
        bytes.fromhex(fields["sealing_public"]),
    )


class UrllibClient(khaibao.HostHttpClient):
    """The host app's own HTTP stack, here Python's urllib."""

    def __init__(self):
        self.calls = 0

    def send(self, request):
        self.calls += 1
        headers = {h.name: h.value for h in request.headers}
        req = urllib.request.Request(request.url, data=request.body, headers=headers, method=request.method)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, body, hdrs = resp.status, resp.read(), resp.getheaders()
        except urllib.error.HTTPError as e:
            status, body, hdrs = e.code, e.read(), list(e.headers.items())
        except OSError as e:
            raise khaibao.HostHttpError.Network(str(type(e).__name__))
        return core.HttpResponse(
            status=status,
            headers=[core.HttpHeader(name=k, value=v) for k, v in hdrs],
            body=body,
        )


class HeldClient(khaibao.HostHttpClient):
    """The host's HTTP stack on a slow network: every request waits until the test lets
    it go, then goes out through urllib."""

    def __init__(self):
        self.out = threading.Event()
        self.go = threading.Event()
        self.inner = UrllibClient()

    def send(self, request):
        self.out.set()
        if not self.go.wait(30):
            raise khaibao.HostHttpError.Timeout()
        return self.inner.send(request)


class ExplodingClient(khaibao.HostHttpClient):
    def send(self, request):
        raise RuntimeError("the host's HTTP stack blew up")


class TestClock(khaibao.Clock):
    """A clock the test sets."""

    def __init__(self, now):
        self.now = now

    def now_unix_seconds(self):
        return self.now


class AlertRecorder(khaibao.ExposureListener):
    """The app's notification hook: records every call."""

    def __init__(self):
        self.lock = threading.Lock()
        self.calls = []

    def on_alerts(self, alerts):
        with self.lock:
            self.calls.append(alerts)


class DiaryReadingListener(khaibao.ExposureListener):
    """A notification hook that reads the diary to show the visit, calling back into the
    library from inside the callback."""

    def __init__(self, app):
        self.app = app
        self.diaries = []

    def on_alerts(self, alerts):
        self.diaries.append(self.app.diary())


class ThrowingListener(khaibao.ExposureListener):
    def on_alerts(self, alerts):
        raise RuntimeError("the notification service blew up")


def tomorrow_at_ten_vietnam():
    """10:00 tomorrow in Vietnam (UTC+7): inside the venue code's validity, and far enough
    from midnight that the visit's automatic check-out is not capped."""
    offset = 7 * 3600
    day = (int(time.time()) + offset) // 86400 + 1
    return day * 86400 - offset + 10 * 3600


def form(phone="0912345678"):
    return core.Declaration(
        full_name="  Trần Thị Bích Ngọc ",
        birth_year=1995,
        phone=phone,
        province=79,
        symptoms=[core.Symptom.FEVER],
        close_contact=False,
        on_behalf=False,
    )


class Flow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        keys = os.path.join(d, "keys")
        cls.keys = keys
        cls.authority_db = os.path.join(d, "authority.db")
        subprocess.run([BIN, "keygen", "--keys", keys], check=True, stdout=subprocess.DEVNULL)
        cls.png = os.path.join(d, "venue.png")
        cls.code = subprocess.run(
            [BIN, "venue", "issue", "--keys", keys, "--name", "Trường THPT Chu Văn An",
             "--address", "10 Thụy Khuê, Tây Hồ, Hà Nội", "--province", "1",
             "--category", "school", "--out", cls.png],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        cls.server = subprocess.Popen(
            [BIN, "serve", "--listen", "127.0.0.1:0", "--db", os.path.join(d, "authority.db"), "--keys", keys],
            stdout=subprocess.PIPE, text=True,
        )
        cls.addClassCleanup(cls.stop_server)
        line = cls.server.stdout.readline().split()
        assert line[0] == "listening", line
        cls.url = line[1]
        kid, signing, sealing = public_keys(os.path.join(keys, "public.txt"))
        cls.config = khaibao.KhaibaoConfig(
            db_path=os.path.join(d, "citizen.db"),
            venue_keys=[core.TrustedKey(kid=kid, public_key=signing)],
            authority_sealing_key=sealing,
            authority_url=cls.url,
            master_key=bytes(range(32)),
        )

    @classmethod
    def stop_server(cls):
        cls.server.terminate()
        cls.server.wait(10)
        cls.server.stdout.close()
        cls.tmp.cleanup()

    def test_1_scan_verify_declare_upload_and_read_diary(self):
        width, height, luma = read_gray_png(self.png)
        # Pad every row, as a camera's Y plane is padded to its row stride.
        stride = width + 64
        padded = b"".join(luma[y * width:(y + 1) * width] + bytes(64) for y in range(height))
        codes = khaibao.scan_frame(padded, width, height, stride, None)
        self.assertEqual(len(codes), 1)
        self.assertEqual(codes[0].text, self.code)
        self.assertEqual(len(codes[0].corners), 4)

        app = khaibao.Khaibao.open(self.config)
        scanned = app.read_venue(codes[0].text)
        self.assertIsInstance(scanned, core.ScannedVenue.VERIFIED)
        self.assertEqual(scanned.venue.name, "Trường THPT Chu Văn An")
        self.assertEqual(scanned.venue.category, core.VenueCategory.SCHOOL)

        # A bad phone number: the form gets the field error, nothing is stored.
        with self.assertRaises(khaibao.KhaibaoError.Validation) as bad:
            app.check_in(scanned, form(phone="12345"))
        self.assertEqual([f.field for f in bad.exception.fields], ["phone"])
        self.assertEqual(bad.exception.fields[0].code, "phone.not_vietnamese_mobile")
        self.assertNotIn("12345", bad.exception.fields[0].message_en)
        self.assertTrue(bad.exception.message_vi and bad.exception.message_en)
        self.assertNotIn("12345", bad.exception.message_en)
        self.assertEqual(app.diary(), [])
        self.assertEqual(app.outbox_counts().pending, 0)

        visit = app.check_in(scanned, form())
        self.assertTrue(visit.verified)
        self.assertEqual(app.outbox_counts().pending, 1)

        report = asyncio.run(app.sync())
        self.assertEqual((report.sent, report.accepted, report.remaining), (1, 1, 0))
        self.assertTrue(report.receipts[0].startswith("rc-"))
        self.assertEqual(app.outbox_counts().delivered, 1)

        diary = app.diary()
        self.assertEqual(len(diary), 1)
        self.assertEqual(diary[0].venue_name, "Trường THPT Chu Văn An")
        self.assertIsNone(diary[0].checked_out_at)

    def test_2_host_http_client_in_python(self):
        app = khaibao.Khaibao.open(self.config)
        scanned = app.read_venue(self.code)
        app.check_out()
        app.check_in(scanned, form())
        client = UrllibClient()
        report = asyncio.run(app.sync_with(client))
        self.assertEqual((report.accepted, report.remaining), (1, 0))
        self.assertEqual(client.calls, 1)

    def test_3_host_callback_that_throws_leaves_items_queued(self):
        app = khaibao.Khaibao.open(self.config)
        app.check_in(app.read_venue(self.code), form())
        with self.assertRaises(khaibao.KhaibaoError.Network) as err:
            asyncio.run(app.sync_with(ExplodingClient()))
        self.assertEqual(err.exception.code, core.ErrorCode.NETWORK_FAILURE)
        self.assertNotIn("blew up", str(err.exception))
        self.assertEqual(app.outbox_counts().pending, 1)
        report = asyncio.run(app.sync())
        self.assertEqual(report.accepted, 1)

    def test_4_forged_venue_is_a_typed_error(self):
        app = khaibao.Khaibao.open(self.config)
        prefix, payload = self.code.split("#", 1)
        flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
        with self.assertRaises(khaibao.KhaibaoError) as err:
            app.read_venue(prefix + "#" + flipped)
        e = err.exception
        # A flipped digit near the end lands in the signature (or, rarely, breaks the digits).
        expected = {
            core.ErrorCode.VENUE_SIGNATURE_INVALID: (
                khaibao.KhaibaoError.Venue,
                "Chữ ký của mã QR không hợp lệ: mã có thể là giả.",
                "The QR code's signature is invalid: it may be fake.",
            ),
            core.ErrorCode.FORMAT_MALFORMED: (
                khaibao.KhaibaoError.Format,
                "Dữ liệu bị hỏng hoặc không đọc được.",
                "The data is damaged or cannot be read.",
            ),
        }
        self.assertIn(e.code, expected)
        family, vi, en = expected[e.code]
        self.assertIsInstance(e, family)
        print(f"\nforged venue code: {khaibao.error_code_string(e.code)}")
        print(f"  message_vi: {e.message_vi}")
        print(f"  message_en: {e.message_en}")
        self.assertTrue(e.message_vi and e.message_en)
        self.assertEqual(e.message_vi, vi)
        self.assertEqual(e.message_en, en)
        self.assertTrue(khaibao.error_code_string(e.code).startswith(
            {core.ErrorFamily.VENUE: "venue.", core.ErrorFamily.FORMAT: "format."}[
                khaibao.error_code_family(e.code)]))
        self.assertNotIn(payload, e.detail)
        other = app.read_venue("https://tokhaiyte.vn/?venue=42")
        self.assertEqual(other.text, "https://tokhaiyte.vn/?venue=42")

    def test_6_personal_pass_checked_by_staff(self):
        app = khaibao.Khaibao.open(self.config)
        certificate = asyncio.run(app.register_device())
        self.assertGreater(len(certificate), 64)
        self.assertEqual(app.health_status(form()), core.HealthStatus.RED, "a fever makes it red")
        text = app.make_pass(form(), certificate, False)
        self.assertTrue(text.startswith("KBP1:"))
        self.assertNotIn("Trần", text)
        staff = khaibao.VenueStaff.open(os.path.join(self.tmp.name, "staff.db"), self.config.venue_keys)
        entry = staff.scan(text)
        self.assertEqual(entry.direction, core.Direction.ENTRY)
        self.assertEqual(entry.check.status, core.HealthStatus.RED)
        self.assertIsNone(entry.check.name)
        with self.assertRaises(khaibao.KhaibaoError.Pass) as err:
            staff.scan(text)
        self.assertEqual(err.exception.code, core.ErrorCode.PASS_REPLAYED)
        leave = staff.scan(app.make_pass(form(), certificate, True))
        self.assertEqual(leave.direction, core.Direction.EXIT)
        report = staff.report()
        self.assertEqual((report.visitors, report.still_inside), (1, 0))
        self.assertEqual(staff.export_csv().splitlines()[0], "pseudonym,status,entered_at,exited_at,nonce,sealed")
        # The entry keeps the pass's nonce and sealed personal data (opaque to staff).
        row = staff.export_csv().splitlines()[1].split(",")
        self.assertEqual(row[4], entry.check.nonce)
        self.assertGreater(len(row[5]), 40)
        self.assertFalse(entry.check.status_attested)

    def config_with(self, db_path, venue_keys):
        c = self.config
        return khaibao.KhaibaoConfig(
            db_path=db_path, venue_keys=venue_keys, authority_sealing_key=c.authority_sealing_key,
            authority_url=c.authority_url, master_key=c.master_key,
        )

    def phone_that_visited(self, scanned, t, db_name):
        """Another phone, whose diary holds one visit to `scanned` from `t` to 40 minutes later."""
        clock = TestClock(t)
        phone = khaibao.Khaibao.open_with_clock(
            self.config_with(os.path.join(self.tmp.name, db_name), self.config.venue_keys), clock)
        phone.check_in(scanned, None)
        clock.now = t + 40 * 60
        phone.check_out()
        return phone

    def publish(self, venue_id, start, end, recommendation):
        """Publishes one exposure window on the authority, as a health officer would."""
        out = subprocess.run(
            [BIN, "exposure", "publish", "--db", self.authority_db, "--venue-id", venue_id,
             "--from", str(start), "--until", str(end), "--recommendation", recommendation],
            check=True, capture_output=True, text=True,
        )
        return int(out.stdout)

    def test_7_exposure_alert_through_python_http(self):
        t = tomorrow_at_ten_vietnam()
        clock = TestClock(t)
        config = self.config_with(os.path.join(self.tmp.name, "exposure.db"), self.config.venue_keys)
        app = khaibao.Khaibao.open_with_clock(config, clock)
        scanned = app.read_venue(self.code)
        visit = app.check_in(scanned, None)
        clock.now = t + 40 * 60
        app.check_out()
        venue_id = scanned.venue.id

        # An infected person was there from 09:50 to 10:30: 30 minutes with the visit.
        version = self.publish(venue_id, t - 10 * 60, t + 30 * 60, "get_tested")
        client = UrllibClient()
        listener = AlertRecorder()
        fetched = asyncio.run(app.sync_exposures(client, 15 * 60, listener))
        self.assertEqual(fetched.version, version)
        self.assertEqual(client.calls, fetched.requests)
        self.assertEqual(app.exposure_since(), version)
        self.assertEqual(len(listener.calls), 1)
        [alert] = listener.calls[0]
        self.assertEqual(alert.visit_id, visit.id)
        self.assertEqual(alert.venue_id, venue_id)
        self.assertEqual(alert.venue_name, "Trường THPT Chu Văn An")
        self.assertEqual(alert.recommendation, core.Recommendation.GET_TESTED)
        self.assertEqual(alert.overlap_seconds, 30 * 60)
        self.assertEqual((alert.visit_start, alert.visit_end), (t, t + 40 * 60))
        self.assertEqual(alert.list_version, version)
        self.assertEqual(fetched.alerts, [alert])

        # Synced again: nothing new, no second alert.
        again = asyncio.run(app.sync_exposures(client, 15 * 60, listener))
        self.assertEqual((again.version, again.requests, again.alerts), (version, 1, []))
        self.assertEqual(len(listener.calls), 1)

        # A window that only touches the end of the visit: a new list, still no alert.
        later = self.publish(venue_id, t + 40 * 60, t + 2 * 3600, "isolate")
        self.assertGreater(later, version)
        third = asyncio.run(app.sync_exposures(client, 15 * 60, listener))
        self.assertEqual((third.version, third.alerts), (later, []))
        self.assertEqual(len(listener.calls), 1)

        # A listener that throws loses nothing: the call still returns the alert, recorded.
        phone2 = self.phone_that_visited(scanned, t, "exposure2.db")
        thrown = asyncio.run(phone2.sync_exposures(client, 15 * 60, ThrowingListener()))
        self.assertEqual([(a.venue_id, a.overlap_seconds) for a in thrown.alerts], [(venue_id, 30 * 60)])
        self.assertEqual(phone2.exposure_since(), later)
        self.assertEqual(asyncio.run(phone2.sync_exposures(client, 15 * 60, None)).alerts, [])

        # A hook that calls back into the library (to read the diary) gets its answer.
        phone3 = self.phone_that_visited(scanned, t, "exposure3.db")
        reader = DiaryReadingListener(phone3)
        fetched3 = asyncio.run(phone3.sync_exposures(client, 15 * 60, reader))
        self.assertEqual(len(fetched3.alerts), 1)
        self.assertEqual([[v.venue_id for v in d] for d in reader.diaries], [[venue_id]])
        # The same through a list the host downloaded itself.
        phone4 = self.phone_that_visited(scanned, t, "exposure4.db")
        with urllib.request.urlopen(self.url + "/v1/exposures?since=0", timeout=10) as resp:
            downloaded = resp.read()
        reader4 = DiaryReadingListener(phone4)
        self.assertEqual(len(phone4.process_exposure_list(downloaded, 15 * 60, reader4)), 1)
        self.assertEqual([[v.venue_id for v in d] for d in reader4.diaries], [[venue_id]])

        # Lists signed by another authority are refused with a typed error, and not recorded.
        stranger = self.config_with(
            os.path.join(self.tmp.name, "stranger.db"),
            [core.TrustedKey(kid=b"\x01" * 8, public_key=b"\x02" * 32)],
        )
        other = khaibao.Khaibao.open_with_clock(stranger, clock)
        with self.assertRaises(khaibao.KhaibaoError.Venue) as err:
            asyncio.run(other.sync_exposures(client, None, None))
        self.assertEqual(err.exception.code, core.ErrorCode.VENUE_UNKNOWN_KEY)
        self.assertEqual(other.exposure_since(), 0)

    def test_8_the_app_works_while_an_upload_waits_on_the_network(self):
        app = khaibao.Khaibao.open(self.config_with(os.path.join(self.tmp.name, "slow.db"), self.config.venue_keys))
        scanned = app.read_venue(self.code)
        app.check_in(scanned, form())
        client = HeldClient()
        upload = {}
        uploader = threading.Thread(target=lambda: upload.update(report=asyncio.run(app.sync_with(client))))
        uploader.start()
        self.assertTrue(client.out.wait(10), "the upload sent no request")

        # The request is out. The citizen leaves, checks in at the next venue and reads the
        # diary: none of it may wait for the network.
        door = {}
        done = threading.Event()

        def at_the_door():
            app.check_out()
            app.check_in(scanned, form())
            door["diary"] = app.diary()
            door["counts"] = app.outbox_counts()
            done.set()

        threading.Thread(target=at_the_door, daemon=True).start()
        finished = done.wait(10)
        client.go.set()
        uploader.join(30)
        self.assertTrue(finished, "check-in waited for the upload's request")
        self.assertEqual(len(door["diary"]), 2)
        self.assertEqual((door["counts"].in_flight, door["counts"].pending), (1, 1))

        # The upload also sent the item queued meanwhile, after the batch it had claimed.
        self.assertEqual((upload["report"].accepted, upload["report"].remaining), (2, 0))
        self.assertEqual(app.outbox_counts().delivered, 2)

    def test_9_background_upload_runs_on_the_apps_clock(self):
        t = tomorrow_at_ten_vietnam()
        clock = TestClock(t)
        app = khaibao.Khaibao.open_with_clock(
            self.config_with(os.path.join(self.tmp.name, "background.db"), self.config.venue_keys), clock)
        app.check_in(app.read_venue(self.code), form())
        with self.assertRaises(khaibao.KhaibaoError.Network) as err:
            asyncio.run(app.sync_with(ExplodingClient()))
        self.assertEqual(err.exception.code, core.ErrorCode.NETWORK_FAILURE)
        self.assertNotIn("blew up", str(err.exception))
        retry_at = app.next_upload_at()
        self.assertGreaterEqual(retry_at, t)
        # The backoff has run out on the app's clock (tomorrow), not on the system's.
        clock.now = retry_at
        report = asyncio.run(app.sync_in_background(50, None, None))
        self.assertEqual((report.sent, report.accepted, report.remaining), (1, 1, 0))

    def test_5_bad_frames_are_typed_errors(self):
        with self.assertRaises(khaibao.KhaibaoError.Scan) as err:
            khaibao.scan_frame(b"\x00" * 10, 100, 100, 100, None)
        self.assertEqual(err.exception.code, core.ErrorCode.SCAN_INVALID_FRAME)
        with self.assertRaises(khaibao.KhaibaoError.Scan):
            khaibao.scan_image(b"definitely not a png")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    passed = max(result.testsRun - len(result.failures) - len(result.errors), 0)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not result.testsRun else 0)
