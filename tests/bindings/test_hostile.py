"""Hostile inputs through the generated Python binding: every exported function and method
is called with empty, huge, malformed and out-of-range arguments and in the wrong order, and
must answer with a typed KhaibaoError (or a valid result), never a crash. A caught panic
(KhaibaoError.Internal) counts as a failure except where the host itself broke the contract
(a callback without an error type that throws); there the panic's message must not reach
stderr.

Run by tests/run.sh, which sets KHAIBAO_PY_DIR (generated module + library) and
KHAIBAO_BIN (the authority CLI)."""

import asyncio
import datetime
import os
import subprocess
import sys
import tempfile
import types
import unittest

sys.path.insert(0, os.environ["KHAIBAO_PY_DIR"])
sys.path.insert(0, os.path.dirname(__file__))

import khaibao  # noqa: E402
import khaibao_core as core  # noqa: E402
from appkit import XorWrapper, at, open_app, run  # noqa: E402

BIN = os.environ["KHAIBAO_BIN"]
MB = 1024 * 1024
I64_MAX = 2**63 - 1
I64_MIN = -(2**63)
I32_MAX = 2**31 - 1
I32_MIN = -(2**31)
# The extremes of the instants Python can express (years 1 and 9999).
T_MIN = -62135596800
T_MAX = 253402300799
# Bytes that are not UTF-8: a lone continuation byte, an overlong encoding, a surrogate
# encoded as UTF-8, and 0xff.
NOT_UTF8 = b"\x80\xc0\xaf\xed\xa0\x80\xff\xfe"
SECRET = "Hoàng Văn Bí Mật 079190001234"


def declaration(**over):
    fields = dict(
        full_name="Đỗ Thị Thử",
        birth_year=1990,
        phone="0912345678",
        province=1,
        symptoms=[],
        close_contact=False,
        on_behalf=False,
    )
    fields.update(over)
    return khaibao.Declaration(**fields)


class FixedClock(khaibao.KhaibaoClock):
    def __init__(self, t):
        self.t = t

    def now(self):
        return at(self.t)


class GarbageClient(khaibao.HostHttpClient):
    """A host HTTP client that answers with whatever it was given."""

    def __init__(self, status=200, body=b"", exc=None, bad_return=False):
        self.status, self.body, self.exc, self.bad_return = status, body, exc, bad_return

    async def send(self, request):
        if self.exc is not None:
            raise self.exc
        if self.bad_return:
            return "not a response"
        return khaibao.HostHttpResponse(status=self.status, headers=[], body=self.body)


class ThrowingListener(khaibao.UploadListener):
    def on_progress(self, done, total):
        raise RuntimeError(SECRET)


class KeyStoreStub(khaibao.HardwareKeyWrapper):
    def __init__(self, mode):
        self.mode = mode

    def wrap(self, secret):
        if self.mode == "clear":
            return b"x" + secret
        if self.mode == "unavailable":
            raise khaibao.KeyWrapError.KeyUnavailable()
        if self.mode == "throws":
            raise ValueError(SECRET)
        if self.mode == "huge":
            return bytes(8 * MB)
        return bytes(b ^ 0x5A for b in secret)

    def unwrap(self, wrapped):
        if self.mode == "wrong":
            return b"\x00" * 32
        if self.mode == "empty":
            return b""
        return bytes(b ^ 0x5A for b in wrapped)


class Hostile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        keys = os.path.join(d, "keys")
        subprocess.run([BIN, "keygen", "--keys", keys], check=True, stdout=subprocess.DEVNULL)
        cls.code = subprocess.run(
            [BIN, "venue", "issue", "--keys", keys, "--name", "Chợ Thử", "--address", "1 Phố Thử",
             "--province", "1", "--category", "market", "--out", os.path.join(d, "v.png")],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        with open(os.path.join(keys, "public.txt")) as f:
            fields = dict(line.split("=", 1) for line in f.read().split())
        cls.trusted = [core.TrustedKey(kid=bytes.fromhex(fields["kid"]),
                                       public_key=bytes.fromhex(fields["signing_public"]))]
        cls.sealing = bytes.fromhex(fields["sealing_public"])
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def config(self, **over):
        Hostile.n += 1
        fields = dict(
            db_path=os.path.join(self.tmp.name, f"c{Hostile.n}.db"),
            venue_keys=self.trusted,
            authority_sealing_key=self.sealing,
            # Nothing listens on port 9 of loopback: uploads fail fast.
            authority_url="http://127.0.0.1:9",
        )
        fields.update(over)
        return khaibao.KhaibaoConfig(**fields)

    def app(self, **over):
        return open_app(self.config(**over))

    def typed(self, fn, *args, internal_ok=False):
        """Calls `fn`: a result, or a KhaibaoError that is not a caught panic."""
        try:
            result = fn(*args)
            return run(result) if asyncio.iscoroutine(result) else result
        except khaibao.KhaibaoError as e:
            if isinstance(e, khaibao.KhaibaoError.Internal) and not internal_ok:
                self.fail(f"{getattr(fn, '__name__', fn)}: caught panic {e}")
            self.assertNotIn(SECRET, str(e))
            return e

    def refused(self, kind, fn, *args):
        """Calls `fn` and expects the typed error `kind`."""
        result = self.typed(fn, *args)
        self.assertIsInstance(result, kind, f"{getattr(fn, '__name__', fn)} returned {result!r}")
        return result

    # ---- free functions ----------------------------------------------------------------

    def test_scan_frame_geometry(self):
        scan = khaibao.scan_frame
        cases = [
            (b"", 0, 0, 0, None),
            (b"", 1, 1, 1, None),
            (b"\x00" * 100, 10, 10, 9, None),  # stride shorter than width
            (b"\x00" * 100, I32_MAX, I32_MAX, I32_MAX, None),
            (b"\x00" * 100, 1, I32_MAX, 1, None),
            (b"\x00" * 100, -1, -1, -1, None),
            (b"\x00" * 100, 10, 10, I32_MAX, None),
            (b"\x00" * 99, 10, 10, 10, None),
        ]
        for args in cases:
            self.refused(khaibao.KhaibaoError.Scan, scan, *args)
        for roi in [khaibao.Region(x=I32_MAX, y=I32_MAX, width=I32_MAX, height=I32_MAX),
                    khaibao.Region(x=0, y=0, width=0, height=0),
                    khaibao.Region(x=5, y=5, width=I32_MAX, height=1)]:
            self.typed(scan, bytes(100), 10, 10, 10, roi)
        # A negative region is the scan error, not a wrapped-around huge one.
        for roi in [khaibao.Region(x=-1, y=0, width=5, height=5),
                    khaibao.Region(x=0, y=0, width=5, height=I32_MIN)]:
            err = self.refused(khaibao.KhaibaoError.Scan, scan, bytes(100), 10, 10, 10, roi)
            self.assertEqual(err.code, core.ErrorCode.SCAN_INVALID_FRAME)
            self.assertTrue(err.message_vi and err.message_en)
            self.refused(khaibao.KhaibaoError.Scan, khaibao.Scanner().scan, bytes(100), 10, 10, 10, roi)
        self.assertEqual(self.typed(scan, NOT_UTF8 * 8, 8, 8, 8, None), [])

    def test_scan_frame_huge(self):
        noise = os.urandom(2048 * 2048)
        self.assertIsInstance(self.typed(khaibao.scan_frame, noise, 2048, 2048, 2048, None), list)
        self.typed(khaibao.scan_frame, bytes(64 * MB), 8192, 8192, 8192, None)

    def test_validate_declaration_never_raises(self):
        forms = [
            declaration(full_name="", phone="", province=0, birth_year=0),
            declaration(full_name="x" * MB, phone="9" * MB, street="s" * MB, email="@" * MB),
            declaration(full_name="\x00\u202e\ufeff", phone="\u0660\u0661", birth_year=65535),
            declaration(province=I32_MAX, district=I32_MAX, ward=I32_MAX, nationality="\U0001F600" * 100),
            declaration(province=I32_MIN, district=-1, ward=-1, birth_year=I32_MIN),
            declaration(birth_year=I32_MAX, vaccination=[khaibao.VaccineDose(
                date=khaibao.CalendarDate(year=2021, month=-1, day=I32_MAX))]),
            declaration(id_document=core.IdDocument.CCCD(number="1" * MB)),
            declaration(date_of_birth=khaibao.CalendarDate(year=2**31 - 1, month=255, day=255)),
            declaration(date_of_birth=khaibao.CalendarDate(year=-(2**31), month=0, day=0)),
        ]
        for f in forms:
            errors = self.typed(khaibao.validate_declaration, f)
            self.assertIsInstance(errors, list)
            self.assertTrue(errors, "a hostile form is not valid")
            for e in errors:
                self.assertLess(len(e.message_en), 200, "field errors do not echo the input")
        # Huge but well-formed: an answer (the repeated symptom counts once), not a hang.
        self.assertEqual(self.typed(khaibao.validate_declaration,
                                    declaration(symptoms=[core.Symptom.FEVER] * 100000)), [])

    def test_numbers_that_do_not_fit_are_typed_errors(self):
        # The platforms' numbers are signed; core's are narrower. One that does not fit is
        # the validation error naming its field, in Vietnamese and English, never a panic
        # and never a number cut to fit.
        app = self.app()
        for field, over in [
            ("birth_year", dict(birth_year=-1990)),
            ("birth_year", dict(birth_year=70000)),
            ("province", dict(province=-1)),
            ("district", dict(district=I32_MIN)),
            ("ward", dict(ward=-1)),
            ("date_of_birth", dict(date_of_birth=khaibao.CalendarDate(year=1990, month=-1, day=1))),
            ("vaccination[0].date", dict(vaccination=[khaibao.VaccineDose(
                date=khaibao.CalendarDate(year=2021, month=1, day=I32_MAX))])),
        ]:
            err = self.refused(khaibao.KhaibaoError.Validation, app.passes().health_status, declaration(**over))
            self.assertIn(field, [f.field for f in err.fields])
            self.assertTrue(err.message_vi and err.message_en)
            self.assertTrue(all(f.message_vi and f.message_en for f in err.fields))
            self.assertEqual([f.field for f in self.typed(khaibao.validate_declaration, declaration(**over))],
                             [f.field for f in err.fields])
            self.refused(khaibao.KhaibaoError.Validation, app.diary().check_in,
                         khaibao.VenueScan.UNVERIFIED(text="Quán Thử"), declaration(**over))
        self.assertEqual(run(app.diary().visits()), [], "a refused declaration checks nobody in")
        self.assertEqual(run(app.uploads().counts()).pending, 0)

    def test_hostile_key_wrappers_are_refused_at_first_open(self):
        self.assertIsInstance(open_app(self.config(), wrapper=KeyStoreStub("ok")), khaibao.KhaibaoLibrary)
        for mode in ["clear", "unavailable", "throws", "wrong", "empty", "huge"]:
            cfg = self.config()
            self.refused(khaibao.KhaibaoError.Keystore, khaibao.KhaibaoLibrary.open, cfg, KeyStoreStub(mode))
            self.assertFalse(os.path.exists(cfg.db_path + ".key"), mode)

    # ---- opening ------------------------------------------------------------------------

    def test_open_with_bad_config(self):
        bad = [
            dict(authority_sealing_key=b""),
            dict(authority_sealing_key=NOT_UTF8 * 100),
            dict(db_path=""),
            dict(db_path="   "),
            dict(db_path=self.tmp.name),  # a folder
            dict(db_path=os.path.join(self.tmp.name, "missing", "dir", "x.db")),
            dict(db_path="x\x00y"),
        ]
        for over in bad:
            err = self.typed(open_app, self.config(**over))
            self.assertIsInstance(err, khaibao.KhaibaoError, over)
        self.assertEqual(self.typed(open_app, self.config(db_path="")).code,
                         core.ErrorCode.CONFIG_DB_PATH)
        # A TLS pin that is not a SHA-256 is refused at open; 32-byte pins are accepted.
        self.assertEqual(self.typed(open_app, self.config(spki_sha256_pins=[bytes(32), bytes(31)])).code,
                         core.ErrorCode.FORMAT_INVALID_FIELD)
        self.assertIsInstance(open_app(self.config(spki_sha256_pins=[bytes(32)], extra_roots_der=[b"x"])),
                              khaibao.KhaibaoLibrary)
        # Hostile keys and URL are accepted at open and refused when used.
        app = self.app(venue_keys=[core.TrustedKey(kid=b"", public_key=b"")] * 1000, authority_url="\x00::")
        self.refused(khaibao.KhaibaoError.Venue, app.trust().read_venue, self.code)
        run(app.diary().check_in(run(app.trust().read_venue("text")), declaration()))
        self.refused(khaibao.KhaibaoError.Network, lambda: run(app.uploads().upload(khaibao.UploadOptions())))

    def test_another_key_wrapper_and_garbage_files(self):
        cfg = self.config()
        run(open_app(cfg).diary().check_in(khaibao.VenueScan.UNVERIFIED(text="t"), None))
        # Another phone's key store cannot unwrap this one's key.
        self.refused(khaibao.KhaibaoError.Keystore, open_app, cfg, None, XorWrapper())
        with open(cfg.db_path + ".key", "wb") as f:
            f.write(os.urandom(100))
        self.refused(khaibao.KhaibaoError.Format, open_app, cfg)
        junk = os.path.join(self.tmp.name, "junk.db")
        with open(junk, "wb") as f:
            f.write(os.urandom(64 * 1024))
        # A database without its key file can never be read.
        self.refused(khaibao.KhaibaoError.Keystore, open_app, self.config(db_path=junk))

    def test_clock_extremes(self):
        for t in [0, -1, T_MIN, T_MAX]:
            app = self.typed(open_app, self.config(), FixedClock(t))
            if isinstance(app, khaibao.KhaibaoError):
                continue
            for call in [lambda: run(app.diary().check_in(run(app.trust().read_venue(self.code)), None)), app.diary().check_out,
                         app.diary().visits, app.diary().active_visit, app.uploads().counts,
                         app.uploads().next_upload_at,
                         lambda: app.passes().health_status(declaration()),
                         lambda: run(app.diary().export_json(core.Language.VIETNAMESE)),
                         lambda: run(app.passes().make_pass(declaration(), b"", False))]:
                self.typed(call)

    # ---- the citizen's calls, hostile arguments and wrong order -------------------------

    def test_read_venue_hostile_text(self):
        app = self.app()
        prefix = self.code.split("#", 1)[0] + "#"
        for text in ["", "\x00", prefix, prefix + "\x00" * 100, prefix + "A" * MB,
                     "x" * (8 * MB), "\ufffd" * 1000, self.code + "A", self.code[:-1]]:
            result = self.typed(app.trust().read_venue, text)
            if not isinstance(result, khaibao.KhaibaoError):
                self.assertIsInstance(result, khaibao.VenueScan.UNVERIFIED)

    def test_lone_surrogate_is_refused_before_the_call(self):
        app = self.app()
        with self.assertRaises(UnicodeEncodeError):
            run(app.trust().read_venue("\ud800"))

    def test_check_in_out_wrong_order(self):
        app = self.app()
        self.refused(khaibao.KhaibaoError.Api, app.diary().check_out)
        self.assertIsNone(run(app.diary().active_visit()))
        huge = khaibao.VenueScan.UNVERIFIED(text="u" * (4 * MB))
        self.typed(app.diary().check_in, huge, None)
        self.refused(khaibao.KhaibaoError.Validation, app.diary().check_in, run(app.trust().read_venue(self.code)),
                     declaration(phone="x" * MB))
        # A host cannot make a verified venue: no venue record is exported at all, and only
        # the library's VerifiedVenue is accepted.
        self.assertFalse(hasattr(core, "Venue") or hasattr(khaibao, "Venue"))
        venue = types.SimpleNamespace(id="zz", name="", address="", province=1, issuer="")
        with self.assertRaises(TypeError):
            run(app.diary().check_in(khaibao.VenueScan.VERIFIED(venue=venue), declaration()))
        self.typed(app.diary().check_out)
        self.typed(app.diary().check_out)
        self.assertIsInstance(run(app.diary().visits()), list)

    def test_edit_visit_hostile(self):
        app = self.app()
        for vid, a, b in [(0, 0, 0), (-1, 1, 0), (I64_MAX, T_MIN, T_MAX), (1, T_MAX, T_MIN)]:
            self.typed(app.diary().edit_visit, vid, at(a), at(b))
        self.assertEqual(self.typed(app.diary().visit_edits, I64_MIN), [])
        visit = run(app.diary().check_in(run(app.trust().read_venue(self.code)), None))
        for a, b in [(at(T_MIN), at(T_MAX)), (at(T_MAX), at(T_MIN)), (at(0), at(-1)),
                     (visit.checked_in_at, visit.checked_in_at)]:
            self.typed(app.diary().edit_visit, visit.id, a, b)
        self.assertIsInstance(run(app.diary().visit_edits(visit.id)), list)

    def test_exports_on_empty_and_hostile_diary(self):
        app = self.app()
        self.assertIsInstance(run(app.diary().export_json(core.Language.ENGLISH)), str)
        self.typed(app.diary().check_in, khaibao.VenueScan.UNVERIFIED(text='",\n=cmd|"\x00' * 1000), None)
        self.assertIsInstance(run(app.diary().export_csv(core.Language.VIETNAMESE)).visits, str)

    def test_exposure_list_hostile(self):
        app = self.app()
        for data in [b"", NOT_UTF8, b"\xd2\x84", b"\x84" + b"\x40" * 3, os.urandom(4 * MB),
                     b"\x84\x43\xa1\x01\x27\xa0\x5b" + b"\xff" * 8, b"\x9b" + b"\xff" * 8]:
            for overlap in [None, 0, -1, I64_MIN, I64_MAX]:
                self.refused(khaibao.KhaibaoError, app.exposures().process_list, data, overlap, None)
        self.assertEqual(run(app.exposures().since()), 0)

    def test_pass_calls_hostile(self):
        app = self.app()
        for cert in [b"", NOT_UTF8, os.urandom(64 * 1024), bytes(16 * MB)]:
            text = self.typed(app.passes().make_pass, declaration(), cert, True)
            self.assertIsInstance(text, str, "the citizen side does not check its own certificate")
        self.refused(khaibao.KhaibaoError.Validation, app.passes().make_pass, declaration(full_name=""), b"", False)
        self.refused(khaibao.KhaibaoError.Validation, app.passes().health_status, declaration(phone=""))
        self.refused(khaibao.KhaibaoError.Network, lambda: run(app.passes().register_device(None)))
        staff = run(khaibao.VenueStaff.open(os.path.join(self.tmp.name, "staff.db"), self.trusted))
        made = run(app.passes().make_pass(declaration(), b"not a certificate", False))
        for text in ["", "KBP1:", "KBP1:" + "A" * MB, "KBP1:!!!!", made, made + "A", "x" * MB]:
            self.refused(khaibao.KhaibaoError, staff.scan, text)
        self.assertEqual(run(staff.report()).visitors, 0)
        self.assertIsInstance(run(staff.export_csv()), str)

    def test_staff_open_hostile(self):
        for path in ["", self.tmp.name, "x\x00y", os.path.join(self.tmp.name, "no", "such", "s.db")]:
            self.typed(khaibao.VenueStaff.open, path, [])
        staff = run(khaibao.VenueStaff.open(os.path.join(self.tmp.name, "s2.db"),
                                        [core.TrustedKey(kid=NOT_UTF8, public_key=bytes(MB))]))
        self.refused(khaibao.KhaibaoError, staff.scan, "KBP1:AAAA")

    # ---- uploads against hostile hosts and servers -------------------------------------

    def queued_app(self):
        app = self.app()
        run(app.diary().check_in(run(app.trust().read_venue(self.code)), declaration()))
        return app

    def test_sync_with_hostile_host_clients(self):
        clients = [
            GarbageClient(200, b""),
            GarbageClient(200, NOT_UTF8),
            GarbageClient(200, os.urandom(MB)),
            GarbageClient(200, b"\x9b" + b"\xff" * 8),  # an array claiming 2^64 items
            GarbageClient(0, b""),
            GarbageClient(65535, b"x"),
            GarbageClient(500, b"x" * MB),
            GarbageClient(exc=khaibao.HostHttpError.Timeout()),
            GarbageClient(exc=RuntimeError(SECRET)),
            GarbageClient(bad_return=True),
        ]
        for client in clients:
            # A fresh queue each time: after a failure the item backs off and is not sent.
            app = self.queued_app()
            self.refused(khaibao.KhaibaoError.Network, app.uploads().upload, khaibao.UploadOptions(client=client))
            self.assertEqual(run(app.uploads().counts()).pending, 1, "nothing lost")

    def test_upload_options_with_throwing_callbacks(self):
        for client in [GarbageClient(200, b"\x80"), None]:
            app = self.queued_app()
            options = khaibao.UploadOptions(client=client, listener=ThrowingListener())
            self.refused(khaibao.KhaibaoError.Network, app.uploads().upload, options)
        for batch in [0, 1, -1, I32_MAX, -(2**31)]:
            cancel = khaibao.UploadCancel()
            options = khaibao.UploadOptions(batch_size=batch, listener=ThrowingListener(), cancel=cancel)
            result = self.typed(app.uploads().upload, options)
            if not isinstance(result, khaibao.KhaibaoError):
                self.assertIsInstance(result, khaibao.UploadReport)
            cancel.cancel()
            cancel.cancel()
        self.assertIsInstance(run(app.uploads().dead_items()), list)
        self.assertIsInstance(run(app.uploads().next_upload_at()), (datetime.datetime, type(None)))

    def test_throwing_clock_is_contained_and_quiet(self):
        """A clock that throws breaks the host contract (it has no error type): the call
        fails with Internal, and the exception text is not printed by the library."""
        script = f"""
import sys
sys.path.insert(0, {os.environ["KHAIBAO_PY_DIR"]!r})
sys.path.insert(0, {os.path.dirname(__file__)!r})
import khaibao
from appkit import open_app
class Boom(khaibao.KhaibaoClock):
    def now(self):
        raise RuntimeError({SECRET!r})
cfg = khaibao.KhaibaoConfig(db_path={os.path.join(self.tmp.name, "boom.db")!r}, venue_keys=[],
    authority_sealing_key=bytes(32), authority_url="http://127.0.0.1:9")
try:
    open_app(cfg, Boom())
    print("opened")
except khaibao.KhaibaoError.Internal as e:
    print("internal", khaibao.error_code_string(e.code), bool(e.message_vi and e.message_en))
# Known limit, not yet understood: CPython aborts at interpreter shutdown ("exception not
# rethrown") when it exits within seconds of a callback that raised into the library; the
# call itself was contained (checked above), so the script leaves without finalising.
sys.stdout.flush()
import os
os._exit(0)
"""
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, "the process survived")
        self.assertEqual(run.stdout.strip(), "internal internal.panic True")
        self.assertNotIn("Bí Mật", run.stderr)
        self.assertNotIn("079190001234", run.stderr)
        self.assertIn("message withheld", run.stderr)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    passed = max(result.testsRun - len(result.failures) - len(result.errors), 0)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not result.testsRun else 0)
