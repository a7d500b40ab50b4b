"""The app flows through the generated Python binding, against the real release cdylib and a
real authority server on loopback.

Run by tests/run.sh, which sets KHAIBAO_PY_DIR (generated module + library) and
KHAIBAO_BIN (the authority CLI)."""

import asyncio
import hashlib
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
from appkit import LOOP, TestClock, XorWrapper, at, open_app, run  # noqa: E402
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


def purpose_key(path, name):
    """The authority's signing key for one purpose (`exposure_public`, `device_public`) from
    public.txt, with its key id (the first 4 bytes of its SHA-256)."""
    with open(path) as f:
        fields = dict(line.split("=", 1) for line in f.read().split())
    public = bytes.fromhex(fields[name])
    return core.TrustedKey(kid=hashlib.sha256(public).digest()[:4], public_key=public)


class UrllibClient(khaibao.HostHttpClient):
    """The host app's own HTTP stack, here Python's urllib."""

    def __init__(self):
        self.calls = 0

    async def send(self, request):
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
        return khaibao.HostHttpResponse(
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

    async def send(self, request):
        self.out.set()
        if not await asyncio.get_running_loop().run_in_executor(None, self.go.wait, 30):
            raise khaibao.HostHttpError.Timeout()
        return await self.inner.send(request)


class ExplodingClient(khaibao.HostHttpClient):
    async def send(self, request):
        raise RuntimeError("the host's HTTP stack blew up")


class BusyClient(khaibao.HostHttpClient):
    """An authority that is overloaded: every answer is 503 with Retry-After."""

    def __init__(self, retry_after):
        self.retry_after = retry_after
        self.calls = 0

    async def send(self, request):
        self.calls += 1
        return khaibao.HostHttpResponse(status=503, headers=[core.HttpHeader(name="Retry-After", value=str(self.retry_after))],
                                 body=b"")


class ProgressRecorder(khaibao.UploadListener):
    def __init__(self):
        self.calls = []

    def on_progress(self, done, total):
        self.calls.append((done, total))


class ChangeCounter(khaibao.DiaryListener):
    def __init__(self):
        self.count = 0

    def on_diary_changed(self):
        self.count += 1


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
        # Called on a library thread while the app's loop awaits the sync: read through that loop.
        self.diaries.append(asyncio.run_coroutine_threadsafe(self.app.diary().visits(), LOOP).result(10))


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
    return khaibao.Declaration(
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
        # The authority signs with one key per purpose. A phone configured without the root
        # key lists the venue and exposure-list keys (with the root, the keyset update brings
        # them with their usages); staff apps trust the device-certificate key.
        cls.device_keys = [purpose_key(os.path.join(keys, "public.txt"), "device_public")]
        cls.config = khaibao.KhaibaoConfig(
            db_path=os.path.join(d, "citizen.db"),
            venue_keys=[core.TrustedKey(kid=kid, public_key=signing),
                        purpose_key(os.path.join(keys, "public.txt"), "exposure_public")],
            authority_sealing_key=sealing,
            authority_url=cls.url,
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

        app = open_app(self.config)
        scanned = run(app.trust().read_venue(codes[0].text))
        self.assertIsInstance(scanned, khaibao.VenueScan.VERIFIED)
        self.assertEqual(scanned.venue.name(), "Trường THPT Chu Văn An")
        self.assertEqual(scanned.venue.category(), core.VenueCategory.SCHOOL)

        # A bad phone number: the form gets the field error, nothing is stored.
        with self.assertRaises(khaibao.KhaibaoError.Validation) as bad:
            run(app.diary().check_in(scanned, form(phone="12345")))
        self.assertEqual([f.field for f in bad.exception.fields], ["phone"])
        self.assertEqual(bad.exception.fields[0].code, "phone.not_vietnamese_mobile")
        self.assertNotIn("12345", bad.exception.fields[0].message_en)
        self.assertTrue(bad.exception.message_vi and bad.exception.message_en)
        self.assertNotIn("12345", bad.exception.message_en)
        self.assertEqual(run(app.diary().visits()), [])
        self.assertEqual(run(app.uploads().counts()).pending, 0)

        visit = run(app.diary().check_in(scanned, form()))
        self.assertTrue(visit.verified)
        self.assertEqual(run(app.uploads().counts()).pending, 1)

        report = run(app.uploads().upload(khaibao.UploadOptions()))
        self.assertEqual((report.sent, report.accepted, report.remaining), (1, 1, 0))
        self.assertTrue(report.receipts[0].startswith("rc-"))
        self.assertEqual(run(app.uploads().counts()).delivered, 1)

        diary = run(app.diary().visits())
        self.assertEqual(len(diary), 1)
        self.assertEqual(diary[0].venue_name, "Trường THPT Chu Văn An")
        self.assertIsNone(diary[0].checked_out_at)

    def test_2_host_http_client_in_python(self):
        app = open_app(self.config)
        scanned = run(app.trust().read_venue(self.code))
        run(app.diary().check_out())
        run(app.diary().check_in(scanned, form()))
        client = UrllibClient()
        report = run(app.uploads().upload(khaibao.UploadOptions(client=client)))
        self.assertEqual((report.accepted, report.remaining), (1, 0))
        self.assertEqual(client.calls, 1)

    def test_3_host_callback_that_throws_leaves_items_queued(self):
        app = open_app(self.config)
        run(app.diary().check_in(run(app.trust().read_venue(self.code)), form()))
        with self.assertRaises(khaibao.KhaibaoError.Network) as err:
            run(app.uploads().upload(khaibao.UploadOptions(client=ExplodingClient())))
        self.assertEqual(err.exception.code, core.ErrorCode.NETWORK_FAILURE)
        self.assertNotIn("blew up", str(err.exception))
        self.assertEqual(run(app.uploads().counts()).pending, 1)
        # The item backs off after the failure, by a full-jitter delay of 0 to 5 s.
        due = run(app.uploads().next_upload_at())
        self.assertIsNotNone(due)
        self.assertLessEqual(due.timestamp(), time.time() + 6)
        if due.timestamp() > time.time() + 1:
            # Not due yet: an upload straight away leaves it queued.
            report = run(app.uploads().upload(khaibao.UploadOptions()))
            self.assertEqual((report.sent, report.remaining), (0, 1))

    def test_4_forged_venue_is_a_typed_error(self):
        app = open_app(self.config)
        prefix, payload = self.code.split("#", 1)
        flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
        with self.assertRaises(khaibao.KhaibaoError) as err:
            run(app.trust().read_venue(prefix + "#" + flipped))
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
        other = run(app.trust().read_venue("https://tokhaiyte.vn/?venue=42"))
        self.assertEqual(other.text, "https://tokhaiyte.vn/?venue=42")

    def test_6_personal_pass_checked_by_staff(self):
        app = open_app(self.config)
        certificate = run(app.passes().register_device(None))
        self.assertGreater(len(certificate), 64)
        self.assertEqual(app.passes().health_status(form()), core.HealthStatus.RED, "a fever makes it red")
        text = run(app.passes().make_pass(form(), certificate, False))
        self.assertTrue(text.startswith("KBP1:"))
        self.assertNotIn("Trần", text)
        staff = run(khaibao.VenueStaff.open(os.path.join(self.tmp.name, "staff.db"), self.device_keys))
        entry = run(staff.scan(text))
        self.assertEqual(entry.direction, core.Direction.ENTRY)
        self.assertEqual(entry.check.status, core.HealthStatus.RED)
        self.assertIsNone(entry.check.name)
        self.assertLessEqual(entry.check.declared_at, entry.at)
        self.assertLess(entry.at, entry.check.expires_at)
        with self.assertRaises(khaibao.KhaibaoError.Pass) as err:
            run(staff.scan(text))
        self.assertEqual(err.exception.code, core.ErrorCode.PASS_REPLAYED)
        leave = run(staff.scan(run(app.passes().make_pass(form(), certificate, True))))
        self.assertEqual(leave.direction, core.Direction.EXIT)
        report = run(staff.report())
        self.assertEqual((report.visitors, report.still_inside), (1, 0))
        self.assertEqual(run(staff.export_csv()).splitlines()[0], "pseudonym,status,entered_at,exited_at,nonce,sealed")
        # The entry keeps the pass's nonce and sealed personal data (opaque to staff).
        row = run(staff.export_csv()).splitlines()[1].split(",")
        self.assertEqual(row[4], entry.check.nonce)
        self.assertGreater(len(row[5]), 40)
        self.assertFalse(entry.check.status_attested)

    def config_with(self, db_path, venue_keys):
        c = self.config
        return khaibao.KhaibaoConfig(
            db_path=db_path, venue_keys=venue_keys, authority_sealing_key=c.authority_sealing_key,
            authority_url=c.authority_url,
        )

    def phone_that_visited(self, scanned, t, db_name):
        """Another phone, whose diary holds one visit to `scanned` from `t` to 40 minutes later."""
        clock = TestClock(t)
        phone = open_app(
            self.config_with(os.path.join(self.tmp.name, db_name), self.config.venue_keys), clock)
        run(phone.diary().check_in(scanned, None))
        clock.now_seconds = t + 40 * 60
        run(phone.diary().check_out())
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
        app = open_app(config, clock)
        scanned = run(app.trust().read_venue(self.code))
        visit = run(app.diary().check_in(scanned, None))
        # Times are datetimes (uniffi's timestamp type), not Unix seconds.
        self.assertEqual(visit.checked_in_at, at(t))
        self.assertGreater(visit.auto_checkout_at, visit.checked_in_at)
        clock.now_seconds = t + 40 * 60
        self.assertEqual(run(app.diary().check_out()).checked_out_at, at(t + 40 * 60))
        venue_id = scanned.venue.id()

        # An infected person was there from 09:50 to 10:30: 30 minutes with the visit.
        version = self.publish(venue_id, t - 10 * 60, t + 30 * 60, "get_tested")
        client = UrllibClient()
        listener = AlertRecorder()
        fetched = run(app.exposures().sync(client, 15 * 60, listener))
        self.assertEqual(fetched.version, version)
        self.assertEqual(client.calls, fetched.requests)
        self.assertEqual(run(app.exposures().since()), version)
        self.assertEqual(len(listener.calls), 1)
        [alert] = listener.calls[0]
        self.assertEqual(alert.visit_id, visit.id)
        self.assertEqual(alert.venue_id, venue_id)
        self.assertEqual(alert.venue_name, "Trường THPT Chu Văn An")
        self.assertEqual(alert.recommendation, core.Recommendation.GET_TESTED)
        self.assertEqual(alert.overlap_seconds, 30 * 60)
        self.assertEqual((alert.visit_start, alert.visit_end), (at(t), at(t + 40 * 60)))
        self.assertEqual(alert.list_version, version)
        self.assertEqual(fetched.alerts, [alert])

        # Synced again: nothing new, no second alert.
        again = run(app.exposures().sync(client, 15 * 60, listener))
        self.assertEqual((again.version, again.requests, again.alerts), (version, 1, []))
        self.assertEqual(len(listener.calls), 1)

        # A window that only touches the end of the visit: a new list, still no alert.
        later = self.publish(venue_id, t + 40 * 60, t + 2 * 3600, "isolate")
        self.assertGreater(later, version)
        third = run(app.exposures().sync(client, 15 * 60, listener))
        self.assertEqual((third.version, third.alerts), (later, []))
        self.assertEqual(len(listener.calls), 1)

        # A listener that throws loses nothing: the call still returns the alert, recorded.
        phone2 = self.phone_that_visited(scanned, t, "exposure2.db")
        thrown = run(phone2.exposures().sync(client, 15 * 60, ThrowingListener()))
        self.assertEqual([(a.venue_id, a.overlap_seconds) for a in thrown.alerts], [(venue_id, 30 * 60)])
        self.assertEqual(run(phone2.exposures().since()), later)
        self.assertEqual(run(phone2.exposures().sync(client, 15 * 60, None)).alerts, [])

        # A hook that calls back into the library (to read the diary) gets its answer.
        phone3 = self.phone_that_visited(scanned, t, "exposure3.db")
        reader = DiaryReadingListener(phone3)
        fetched3 = run(phone3.exposures().sync(client, 15 * 60, reader))
        self.assertEqual(len(fetched3.alerts), 1)
        self.assertEqual([[v.venue_id for v in d] for d in reader.diaries], [[venue_id]])
        # The same through a list the host downloaded itself.
        phone4 = self.phone_that_visited(scanned, t, "exposure4.db")
        with urllib.request.urlopen(self.url + "/v1/exposures?since=0", timeout=10) as resp:
            downloaded = resp.read()
        reader4 = DiaryReadingListener(phone4)
        self.assertEqual(len(run(phone4.exposures().process_list(downloaded, 15 * 60, reader4))), 1)
        self.assertEqual([[v.venue_id for v in d] for d in reader4.diaries], [[venue_id]])

        # Lists signed by another authority are refused with a typed error, and not recorded.
        stranger = self.config_with(
            os.path.join(self.tmp.name, "stranger.db"),
            [core.TrustedKey(kid=b"\x01" * 8, public_key=b"\x02" * 32)],
        )
        other = open_app(stranger, clock)
        with self.assertRaises(khaibao.KhaibaoError.Venue) as err:
            run(other.exposures().sync(client, None, None))
        self.assertEqual(err.exception.code, core.ErrorCode.VENUE_UNKNOWN_KEY)
        self.assertEqual(run(other.exposures().since()), 0)

    def test_8_the_app_works_while_an_upload_waits_on_the_network(self):
        app = open_app(self.config_with(os.path.join(self.tmp.name, "slow.db"), self.config.venue_keys))
        scanned = run(app.trust().read_venue(self.code))
        run(app.diary().check_in(scanned, form()))
        client = HeldClient()

        async def scenario():
            upload = asyncio.ensure_future(app.uploads().upload(khaibao.UploadOptions(client=client)))
            sent = await asyncio.get_running_loop().run_in_executor(None, client.out.wait, 10)
            self.assertTrue(sent, "the upload sent no request")

            # The request is out. The citizen leaves, checks in at the next venue and reads
            # the diary: none of it may wait for the network.
            async def at_the_door():
                await app.diary().check_out()
                await app.diary().check_in(scanned, form())
                return await app.diary().visits(), await app.uploads().counts()

            try:
                door = await asyncio.wait_for(at_the_door(), 10)
            except asyncio.TimeoutError:
                door = None
            client.go.set()
            return door, await asyncio.wait_for(upload, 30)

        door, report = run(scenario())
        self.assertIsNotNone(door, "check-in waited for the upload's request")
        diary, counts = door
        self.assertEqual(len(diary), 2)
        self.assertEqual((counts.in_flight, counts.pending), (1, 1))

        # The upload also sent the item queued meanwhile, after the batch it had claimed.
        self.assertEqual((report.accepted, report.remaining), (2, 0))
        self.assertEqual(run(app.uploads().counts()).delivered, 2)

    def test_9_background_upload_runs_on_the_apps_clock(self):
        t = tomorrow_at_ten_vietnam()
        clock = TestClock(t)
        app = open_app(
            self.config_with(os.path.join(self.tmp.name, "background.db"), self.config.venue_keys), clock)
        run(app.diary().check_in(run(app.trust().read_venue(self.code)), form()))
        with self.assertRaises(khaibao.KhaibaoError.Network) as err:
            run(app.uploads().upload(khaibao.UploadOptions(client=ExplodingClient())))
        self.assertEqual(err.exception.code, core.ErrorCode.NETWORK_FAILURE)
        self.assertNotIn("blew up", str(err.exception))
        retry_at = run(app.uploads().next_upload_at())
        self.assertGreaterEqual(retry_at, at(t))
        # The backoff has run out on the app's clock (tomorrow), not on the system's.
        clock.now_seconds = int(retry_at.timestamp())
        report = run(app.uploads().upload(khaibao.UploadOptions(batch_size=50)))
        self.assertEqual((report.sent, report.accepted, report.remaining), (1, 1, 0))

    def test_10_retry_after_cancel_and_progress_through_one_upload_call(self):
        t = tomorrow_at_ten_vietnam()
        clock = TestClock(t)
        app = open_app(self.config_with(os.path.join(self.tmp.name, "retry.db"), self.config.venue_keys), clock)
        run(app.diary().check_in(run(app.trust().read_venue(self.code)), form()))
        busy = BusyClient(retry_after=600)
        with self.assertRaises(khaibao.KhaibaoError.Network):
            run(app.uploads().upload(khaibao.UploadOptions(client=busy)))
        self.assertEqual(busy.calls, 1)
        # The authority's Retry-After holds for the host's client as for the library's own.
        retry_at = run(app.uploads().next_upload_at())
        self.assertGreaterEqual(retry_at, at(t + 600))
        early = run(app.uploads().upload(khaibao.UploadOptions(client=busy)))
        self.assertEqual((busy.calls, early.sent, early.remaining), (1, 0, 1))

        clock.now_seconds = int(retry_at.timestamp())
        cancel = khaibao.UploadCancel()
        cancel.cancel()
        stopped = run(app.uploads().upload(khaibao.UploadOptions(client=busy, cancel=cancel)))
        self.assertEqual((stopped.cancelled, stopped.sent, stopped.remaining), (True, 0, 1))
        self.assertEqual(busy.calls, 1, "a cancelled upload sends nothing")

        progress = ProgressRecorder()
        done = run(app.uploads().upload(khaibao.UploadOptions(client=UrllibClient(), batch_size=1,
                                                              listener=progress)))
        self.assertEqual((done.sent, done.accepted, done.remaining, done.cancelled), (1, 1, 0, False))
        self.assertEqual(progress.calls, [(1, 1)])

    def test_11_cancelling_the_awaiting_task_stops_the_upload(self):
        app = open_app(self.config_with(os.path.join(self.tmp.name, "cancel.db"), self.config.venue_keys))
        scanned = run(app.trust().read_venue(self.code))
        for _ in range(3):
            run(app.diary().check_in(scanned, form()))
        client = HeldClient()

        async def scenario():
            upload = asyncio.ensure_future(
                app.uploads().upload(khaibao.UploadOptions(client=client, batch_size=1)))
            sent = await asyncio.get_running_loop().run_in_executor(None, client.out.wait, 10)
            self.assertTrue(sent)
            upload.cancel()
            client.go.set()
            with self.assertRaises(asyncio.CancelledError):
                await upload

        run(scenario())
        # The batch in flight finished; the rest stayed queued for the next run.
        for _ in range(100):
            counts = run(app.uploads().counts())
            if counts.in_flight == 0:
                break
            time.sleep(0.05)
        self.assertEqual((counts.delivered, counts.pending), (1, 2))

    def test_12_verified_venues_come_only_from_the_library(self):
        with self.assertRaises(Exception):
            khaibao.VerifiedVenue()
        app = open_app(self.config_with(os.path.join(self.tmp.name, "opaque.db"), self.config.venue_keys))
        # Text that merely looks like a venue is checked in as unverified.
        visit = run(app.diary().check_in(khaibao.VenueScan.UNVERIFIED(text=self.code), None))
        self.assertFalse(visit.verified)
        scanned = run(app.trust().read_venue(self.code))
        run(app.diary().check_out())
        self.assertTrue(run(app.diary().check_in(scanned, None)).verified)

    def test_13_lost_hardware_key_has_a_reset_path(self):
        wrapper = XorWrapper()
        config = self.config_with(os.path.join(self.tmp.name, "restored.db"), self.config.venue_keys)
        app = open_app(config, wrapper=wrapper)
        run(app.diary().check_in(run(app.trust().read_venue(self.code)), None))
        del app
        with open(config.db_path + ".key", "rb") as f:
            self.assertTrue(f.read().startswith(b"KBK1W"), "the key file holds the wrapped key")
        # Still readable: the library refuses to discard it.
        with self.assertRaises(khaibao.KhaibaoError.Api):
            run(khaibao.discard_unrecoverable_diary(config, wrapper))
        self.assertEqual(len(run(open_app(config, wrapper=wrapper).diary().visits())), 1)

        wrapper.lose()  # restored onto a new phone: the hardware key is gone
        with self.assertRaises(khaibao.KhaibaoError.Keystore) as err:
            open_app(config, wrapper=wrapper)
        self.assertEqual(err.exception.code, core.ErrorCode.KEYSTORE_UNAVAILABLE)
        self.assertTrue(err.exception.message_vi and err.exception.message_en)
        fresh = XorWrapper()
        run(khaibao.discard_unrecoverable_diary(config, fresh))
        self.assertFalse(os.path.exists(config.db_path))
        again = open_app(config, wrapper=fresh)
        self.assertEqual(run(again.diary().visits()), [])

        # A database whose key file is gone is as unreadable.
        os.remove(config.db_path + ".key")
        with self.assertRaises(khaibao.KhaibaoError.Keystore) as err:
            open_app(config, wrapper=fresh)
        self.assertEqual(err.exception.code, core.ErrorCode.KEYSTORE_UNAVAILABLE)

    def test_14_diary_changes_reach_a_watcher_until_stopped(self):
        app = open_app(self.config_with(os.path.join(self.tmp.name, "watch.db"), self.config.venue_keys))
        seen = ChangeCounter()
        watch = app.diary().watch(seen)
        run(app.diary().check_in(run(app.trust().read_venue(self.code)), None))
        run(app.diary().check_out())
        self.assertEqual(seen.count, 2)
        watch.stop()
        run(app.diary().check_in(run(app.trust().read_venue(self.code)), None))
        self.assertEqual(seen.count, 2)

    def test_15_staff_log_reaches_the_authority_once_through_the_uploads(self):
        citizen = open_app(self.config_with(os.path.join(self.tmp.name, "door-citizen.db"), self.config.venue_keys))
        certificate = run(citizen.passes().register_device(None))
        venue_id = run(citizen.trust().read_venue(self.code)).venue.id()
        # The staff phone: its door log, and its own handle whose uploads send the log.
        t = int(time.time())
        clock = TestClock(t)
        staff_app = open_app(self.config_with(os.path.join(self.tmp.name, "door-staff.db"), self.config.venue_keys), clock)
        log_path = os.path.join(self.tmp.name, "door.db")
        staff = run(khaibao.VenueStaff.open(log_path, self.device_keys))
        visitor = khaibao.Declaration(full_name="Đỗ Thị Hạnh", birth_year=1988, phone="0987654321", province=1,
                                   symptoms=[], close_contact=False, on_behalf=False)
        run(staff.scan(run(citizen.passes().make_pass(visitor, certificate, False))))
        self.assertEqual(run(staff.queue_uploads(staff_app.uploads(), venue_id)), 0, "still inside: nothing to send")
        run(staff.scan(run(citizen.passes().make_pass(visitor, certificate, False))))
        with self.assertRaises(khaibao.KhaibaoError.Format):
            run(staff.queue_uploads(staff_app.uploads(), "not a venue id"))
        self.assertEqual(run(staff.queue_uploads(staff_app.uploads(), venue_id)), 1)
        self.assertEqual(run(staff.queue_uploads(staff_app.uploads(), venue_id)), 0, "handed over once")
        self.assertEqual(run(staff_app.uploads().counts()).pending, 1)

        # The venue holds the visitor only sealed: not in its files, not in its export.
        files = [run(staff.export_csv()).encode()]
        for suffix in ("", "-wal"):
            if os.path.exists(log_path + suffix):
                with open(log_path + suffix, "rb") as f:
                    files.append(f.read())
        for secret in ("Đỗ Thị Hạnh".encode(), b"987654321"):
            self.assertFalse(any(secret in b for b in files))

        # The same upload call as declarations: the authority's Retry-After holds...
        busy = BusyClient(retry_after=900)
        with self.assertRaises(khaibao.KhaibaoError.Network):
            run(staff_app.uploads().upload(khaibao.UploadOptions(client=busy)))
        retry_at = run(staff_app.uploads().next_upload_at())
        self.assertGreaterEqual(retry_at, at(t + 900))
        early = run(staff_app.uploads().upload(khaibao.UploadOptions(client=busy)))
        self.assertEqual((busy.calls, early.sent, early.remaining), (1, 0, 1))
        # ...then the host's client delivers it, with progress, exactly once.
        clock.now_seconds = int(retry_at.timestamp())
        progress = ProgressRecorder()
        client = UrllibClient()
        done = run(staff_app.uploads().upload(khaibao.UploadOptions(client=client, listener=progress)))
        self.assertEqual((done.sent, done.accepted, done.rejected, done.remaining), (1, 1, 0, 0))
        self.assertEqual(progress.calls, [(1, 1)])
        self.assertEqual(run(staff.queue_uploads(staff_app.uploads(), venue_id)), 0)
        again = run(staff_app.uploads().upload(khaibao.UploadOptions(client=client)))
        self.assertEqual((again.sent, client.calls), (0, 1))

        # Only the authority's sealing key identifies the visitor at that venue.
        def export(keys):
            out = os.path.join(self.tmp.name, "door-export.csv")
            if os.path.exists(out):
                os.remove(out)
            done = subprocess.run([BIN, "export", "--db", self.authority_db, "--keys", keys,
                                   "--since", str(t - 86400), "--venue", venue_id, "--out", out],
                                  capture_output=True, text=True)
            text = open(out, encoding="utf-8").read() if os.path.exists(out) else ""
            return done.returncode, text + done.stdout + done.stderr

        code, text = export(self.keys)
        self.assertEqual(code, 0, text)
        rows = [line for line in text.splitlines() if "Đỗ Thị Hạnh" in line]
        self.assertEqual(len(rows), 1, text)
        self.assertIn(venue_id, rows[0])
        self.assertIn("door:", rows[0])
        stranger = os.path.join(self.tmp.name, "stranger-keys")
        subprocess.run([BIN, "keygen", "--keys", stranger], check=True, stdout=subprocess.DEVNULL)
        _, text = export(stranger)
        self.assertNotIn("Đỗ Thị Hạnh", text)

    def test_16_master_key_rotation_leaves_old_copies_unreadable(self):
        t0 = int(time.time())
        clock = TestClock(t0)
        config = self.config_with(os.path.join(self.tmp.name, "rotate.db"), self.config.venue_keys)
        key_file = config.db_path + ".key"

        def files(path):
            return {suffix: open(path + suffix, "rb").read()
                    for suffix in ("", "-wal", ".key") if os.path.exists(path + suffix)}

        def names(app):
            return [v.venue_name for v in run(app.diary().visits())]

        app = open_app(config, clock)
        first_key = open(key_file, "rb").read()
        run(app.diary().check_in(khaibao.VenueScan.UNVERIFIED(text="Quán phở 24"), None))
        run(app.diary().check_out())
        # Asked by the app: a new key, wrapped by the same hardware key wrapper, in place.
        self.assertEqual(run(app.rotate_master_key()), 2)
        self.assertNotEqual(open(key_file, "rb").read(), first_key)
        self.assertEqual(len(run(app.diary().visits())), 1)
        old = files(config.db_path)  # a copy of the files taken now (a backup, a thief's)

        clock.now_seconds = t0 + 15 * 86400
        run(app.diary().check_in(khaibao.VenueScan.UNVERIFIED(text="Tiệm bánh mì"), None))
        run(app.diary().check_out())
        del app
        # 25 days on: the first day is past the retention and purged at open, and the key,
        # older than key_rotation_days (7 by default), is rotated on the way.
        clock.now_seconds = t0 + 25 * 86400
        app = open_app(config, clock)
        self.assertEqual(len(names(app)), 1, "the surviving day still reads")
        self.assertEqual(run(app.rotate_master_key()), 4, "opening rotated it to generation 3")
        self.assertEqual(len(names(app)), 1)
        del app
        self.assertFalse(os.path.exists(key_file + ".next"))

        # The old copy of the database does not open with the key that remains: whoever
        # obtains it later cannot read the purged day from the copy.
        copy = os.path.join(self.tmp.name, "rotate-copy.db")
        for suffix, data in old.items():
            if suffix != ".key":
                with open(copy + suffix, "wb") as f:
                    f.write(data)
        with open(copy + ".key", "wb") as f:
            f.write(open(key_file, "rb").read())
        with self.assertRaises(khaibao.KhaibaoError.Storage) as err:
            open_app(self.config_with(copy, self.config.venue_keys), clock)
        self.assertEqual(err.exception.code, core.ErrorCode.STORAGE_WRONG_MASTER_KEY)
        # Nor does any key file the live database ever had, but the current one.
        live = files(config.db_path)
        self.assertNotIn(old[".key"], [v for k, v in live.items() if k != ".key"])

        # A crash after the database was re-wrapped, before the new key file replaced the old:
        # the next open finds the database under the new key and finishes the rotation.
        current = open(key_file, "rb").read()
        with open(key_file + ".next", "wb") as f:
            f.write(current)
        with open(key_file, "wb") as f:
            f.write(old[".key"])
        app = open_app(config, clock)
        self.assertEqual(len(names(app)), 1)
        del app
        self.assertEqual(open(key_file, "rb").read(), current)
        self.assertFalse(os.path.exists(key_file + ".next"))
        # A crash before it committed: the new key file is dropped, the database opens.
        with open(key_file + ".next", "wb") as f:
            f.write(old[".key"])
        self.assertEqual(len(names(open_app(config, clock))), 1)
        self.assertFalse(os.path.exists(key_file + ".next"))

    def test_5_bad_frames_are_typed_errors(self):
        with self.assertRaises(khaibao.KhaibaoError.Scan) as err:
            khaibao.scan_frame(b"\x00" * 10, 100, 100, 100, None)
        self.assertEqual(err.exception.code, core.ErrorCode.SCAN_INVALID_FRAME)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    passed = max(result.testsRun - len(result.failures) - len(result.errors), 0)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not result.testsRun else 0)
