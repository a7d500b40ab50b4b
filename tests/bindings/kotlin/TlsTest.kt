// The library's own HTTPS client through the generated Kotlin binding, as an Android app uses
// it: the authority serves HTTPS with a certificate from a private test CA
// (core/tests/data), the app supplies that CA as an extra trust anchor and pins the server's
// key in the config, and verifies against the roots bundled in the library (what Android
// builds always do). Called from FlowTest's runner.

import java.io.File
import java.nio.file.Files
import java.security.MessageDigest
import java.security.cert.CertificateFactory
import java.util.concurrent.TimeUnit
import vn.khaibao.*
import vn.khaibao.core.*

/** SHA-256 of a DER certificate's SubjectPublicKeyInfo: the value an app pins. */
fun spkiSha256(der: ByteArray): ByteArray {
    val cert = CertificateFactory.getInstance("X.509").generateCertificate(der.inputStream())
    return MessageDigest.getInstance("SHA-256").digest(cert.publicKey.encoded)
}

suspend fun ownHttpsClientWithTheTestCa(f: Fixture) {
    val data = File(System.getenv("KHAIBAO_TLS_DATA") ?: error("KHAIBAO_TLS_DATA is not set"))
    val ca = File(data, "ca.der").readBytes()
    val leaf = File(data, "leaf.der")
    val dir = Files.createTempDirectory("tls").toFile()
    val server = ProcessBuilder(
        f.bin, "serve", "--listen", "127.0.0.1:0", "--db", File(dir, "authority.db").path, "--keys", f.keys.path,
        "--tls-cert", leaf.path, "--tls-key", File(data, "leaf.key.der").path,
    ).redirectError(ProcessBuilder.Redirect.INHERIT).start()
    try {
        val line = server.inputStream.bufferedReader().readLine()?.split(" ") ?: error("server said nothing")
        check(line[0] == "listening") { "server: $line" }
        val url = line[1]
        check(url.startsWith("https://")) { "served over $url" }
        val base = f.config.copy(authorityUrl = url, bundledRoots = true)
        fun config(name: String, roots: List<ByteArray>, pins: List<ByteArray>) =
            base.copy(dbPath = File(dir, name).path, extraRootsDer = roots, spkiSha256Pins = pins)

        // The test CA added to the bundled roots, the server's key pinned: registration and
        // an upload go through the library's own client.
        KhaibaoLibrary.open(config("ok.db", listOf(ca), listOf(spkiSha256(leaf.readBytes()))), WRAPPER).use { app ->
            val certificate = app.passes().registerDevice(null)
            check(certificate.size > 64) { "certificate of ${certificate.size} bytes" }
            app.diary().checkIn(app.trust().readVenue(f.code), form())
            val report = app.uploads().upload(UploadOptions())
            checkEq(1L, report.accepted, "accepted over HTTPS")
        }
        // The bundled roots alone do not know the private CA: refused, a typed network error.
        KhaibaoLibrary.open(config("unknown-ca.db", listOf(), listOf()), WRAPPER).use { app ->
            val e = expectThrows<KhaibaoException.Network> { app.passes().registerDevice(null) }
            checkEq(ErrorCode.NETWORK_FAILURE, e.code, "untrusted CA")
        }
        // The right CA but another key pinned: refused too.
        KhaibaoLibrary.open(config("wrong-pin.db", listOf(ca), listOf(ByteArray(32) { 7 })), WRAPPER).use { app ->
            expectThrows<KhaibaoException.Network> { app.passes().registerDevice(null) }
        }
    } finally {
        server.destroy()
        server.waitFor(10, TimeUnit.SECONDS)
        dir.deleteRecursively()
    }
}
