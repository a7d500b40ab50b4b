"""The app flows through the generated Python binding, against the real release cdylib and a
real authority server on loopback.

Run by tests/run.sh, which sets KHAIBAO_PY_DIR (generated module + library) and
KHAIBAO_BIN (the authority CLI)."""

import asyncio
import os
import subprocess
import sys
import tempfile
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


class ExplodingClient(khaibao.HostHttpClient):
    def send(self, request):
        raise RuntimeError("the host's HTTP stack blew up")


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
        with self.assertRaises(khaibao.KhaibaoError.Network):
            asyncio.run(app.sync_with(ExplodingClient()))
        self.assertEqual(app.outbox_counts().pending, 1)
        report = asyncio.run(app.sync())
        self.assertEqual(report.accepted, 1)

    def test_4_forged_venue_is_a_typed_error(self):
        app = khaibao.Khaibao.open(self.config)
        prefix, payload = self.code.split("#", 1)
        flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
        with self.assertRaises(khaibao.KhaibaoError.Venue) as err:
            app.read_venue(prefix + "#" + flipped)
        self.assertIn(err.exception.code, ("signature.invalid", "code.malformed"))
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
        self.assertEqual(err.exception.code, "pass.replayed")
        leave = staff.scan(app.make_pass(form(), certificate, True))
        self.assertEqual(leave.direction, core.Direction.EXIT)
        report = staff.report()
        self.assertEqual((report.visitors, report.still_inside), (1, 0))
        self.assertEqual(staff.export_csv().splitlines()[0], "pseudonym,status,entered_at,exited_at")

    def test_5_bad_frames_are_typed_errors(self):
        with self.assertRaises(khaibao.KhaibaoError.Scan) as err:
            khaibao.scan_frame(b"\x00" * 10, 100, 100, 100, None)
        self.assertEqual(err.exception.code, "scan.invalid_frame")
        with self.assertRaises(khaibao.KhaibaoError.Scan):
            khaibao.scan_image(b"definitely not a png")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    passed = max(result.testsRun - len(result.failures) - len(result.errors), 0)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not result.testsRun else 0)
