"""Trust updates through the generated Python binding: an app that ships only the authority's
root key downloads the keyset update and the venue registry through the host's own HTTP
client (urllib), verifies venue codes under the downloaded keyset and resolves the manual
code printed on a poster that `khaibao venue issue` made.

Run by tests/run.sh, which sets KHAIBAO_PY_DIR (generated module + library) and
KHAIBAO_BIN (the authority CLI)."""

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.environ["KHAIBAO_PY_DIR"])
sys.path.insert(0, os.path.dirname(__file__))

import khaibao  # noqa: E402
import khaibao_core as core  # noqa: E402
from appkit import open_app, run  # noqa: E402
from test_flow import UrllibClient, public_keys  # noqa: E402

BIN = os.environ["KHAIBAO_BIN"]


def root_public(path):
    with open(path) as f:
        fields = dict(line.split("=", 1) for line in f.read().split())
    return bytes.fromhex(fields["root_public"])


def issue(keys, name, out):
    """Issues a venue with the CLI: its code text (stdout) and the manual code (stderr)."""
    done = subprocess.run(
        [BIN, "venue", "issue", "--keys", keys, "--name", name,
         "--address", "12 Lý Tự Trọng, Phường Bến Nghé, Quận 1", "--province", "79",
         "--category", "restaurant", "--out", out],
        check=True, capture_output=True, text=True,
    )
    manual = re.search(r"manual code (\d{4} \d{4} \d{2})", done.stderr)
    assert manual, done.stderr
    return done.stdout.strip(), manual.group(1)


class Trust(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        keys = os.path.join(d, "keys")
        cls.keys = keys
        subprocess.run([BIN, "keygen", "--keys", keys], check=True, stdout=subprocess.DEVNULL)
        cls.code, cls.manual = issue(keys, "Quán cà phê Gió", os.path.join(d, "gio.svg"))
        cls.server = subprocess.Popen(
            [BIN, "serve", "--listen", "127.0.0.1:0", "--db", os.path.join(d, "authority.db"), "--keys", keys],
            stdout=subprocess.PIPE, text=True,
        )
        cls.addClassCleanup(cls.stop_server)
        line = cls.server.stdout.readline().split()
        assert line[0] == "listening", line
        cls.url = line[1]
        cls.root = root_public(os.path.join(keys, "public.txt"))
        _, _, cls.sealing = public_keys(os.path.join(keys, "public.txt"))

    @classmethod
    def stop_server(cls):
        cls.server.terminate()
        cls.server.wait(10)
        cls.server.stdout.close()
        cls.tmp.cleanup()

    def app(self, name, root=True):
        return open_app(khaibao.KhaibaoConfig(
            db_path=os.path.join(self.tmp.name, name),
            venue_keys=[],
            authority_sealing_key=self.sealing,
            authority_url=self.url,
            root_public_key=self.root if root else None,
        ))

    def test_sync_then_resolve_the_posters_manual_code(self):
        app = self.app("citizen.db")
        # No venue key shipped and nothing downloaded: the code cannot be trusted yet, and
        # a typed code has no registry to look in.
        with self.assertRaises(khaibao.KhaibaoError.Venue) as err:
            run(app.trust().read_venue(self.code))
        self.assertEqual(err.exception.code, core.ErrorCode.VENUE_UNKNOWN_KEY)
        with self.assertRaises(khaibao.KhaibaoError.Venue) as err:
            run(app.trust().resolve_manual_code(self.manual))
        self.assertEqual(err.exception.code, core.ErrorCode.VENUE_REGISTRY_MISSING)

        client = UrllibClient()
        synced = run(app.trust().sync(client))
        self.assertEqual(client.calls, 2)
        self.assertTrue(synced.keyset_updated and synced.registry_updated)
        self.assertEqual(synced.registry.entries, 1)
        self.assertEqual(run(app.trust().registry_info()), synced.registry)

        venue = run(app.trust().resolve_manual_code(self.manual))
        self.assertEqual(venue.name(), "Quán cà phê Gió")
        scanned = run(app.trust().read_venue(self.code))
        self.assertIsInstance(scanned, khaibao.VenueScan.VERIFIED)
        self.assertEqual(scanned.venue.id(), venue.id())
        visit = run(app.diary().check_in(khaibao.VenueScan.VERIFIED(venue=venue), None))
        self.assertTrue(visit.verified)

        # Typed with dashes instead of spaces: the same venue; one digit off: a typo.
        self.assertEqual(run(app.trust().resolve_manual_code(self.manual.replace(" ", "-"))).id(), venue.id())
        digits = self.manual.replace(" ", "")
        wrong = digits[:3] + str((int(digits[3]) + 1) % 10) + digits[4:]
        with self.assertRaises(khaibao.KhaibaoError.Venue) as err:
            run(app.trust().resolve_manual_code(wrong))
        self.assertEqual(err.exception.code, core.ErrorCode.VENUE_MANUAL_CODE_INVALID)

        # The same answers again change nothing; the held update replayed is stale.
        again = run(app.trust().sync(client))
        self.assertFalse(again.keyset_updated or again.registry_updated)
        with urllib.request.urlopen(self.url + "/v1/keyset-update", timeout=10) as resp:
            update = resp.read()
        with self.assertRaises(khaibao.KhaibaoError.Venue) as err:
            run(app.trust().apply_keyset_update(update))
        self.assertEqual(err.exception.code, core.ErrorCode.VENUE_UPDATE_STALE)

        # A venue issued while the server runs resolves after the next sync.
        code2, manual2 = issue(self.keys, "Nhà hàng Sen", os.path.join(self.tmp.name, "sen.svg"))
        with self.assertRaises(khaibao.KhaibaoError.Venue) as err:
            run(app.trust().resolve_manual_code(manual2))
        self.assertEqual(err.exception.code, core.ErrorCode.VENUE_MANUAL_CODE_UNKNOWN)
        third = run(app.trust().sync(None))
        self.assertTrue(third.registry_updated)
        self.assertEqual(third.registry.entries, 2)
        self.assertGreater(third.registry.serial, synced.registry.serial)
        self.assertEqual(run(app.trust().resolve_manual_code(manual2)).name(), "Nhà hàng Sen")
        self.assertEqual(run(app.trust().read_venue(code2)).venue.name(), "Nhà hàng Sen")

    def test_without_a_root_key_updates_are_refused_typed(self):
        app = self.app("no_root.db", root=False)
        with urllib.request.urlopen(self.url + "/v1/keyset-update", timeout=10) as resp:
            update = resp.read()
        with self.assertRaises(khaibao.KhaibaoError.Config) as err:
            run(app.trust().apply_keyset_update(update))
        self.assertEqual(err.exception.code, core.ErrorCode.CONFIG_ROOT_KEY)
        # The registry is signed by a key this app does not know.
        with urllib.request.urlopen(self.url + "/v1/registry", timeout=10) as resp:
            registry = resp.read()
        with self.assertRaises(khaibao.KhaibaoError.Venue) as err:
            run(app.trust().apply_registry(registry))
        self.assertEqual(err.exception.code, core.ErrorCode.VENUE_UNKNOWN_KEY)
        self.assertIsNone(run(app.trust().registry_info()))
        with self.assertRaises(khaibao.KhaibaoError.Config) as err:
            open_app(khaibao.KhaibaoConfig(
                db_path=os.path.join(self.tmp.name, "bad_root.db"), venue_keys=[],
                authority_sealing_key=self.sealing, authority_url=self.url,
                root_public_key=b"short",
            ))
        self.assertEqual(err.exception.code, core.ErrorCode.CONFIG_ROOT_KEY)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    passed = max(result.testsRun - len(result.failures) - len(result.errors), 0)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not result.testsRun else 0)
