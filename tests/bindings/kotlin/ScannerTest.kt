// The stream scanner through the generated Kotlin binding: camera-sized frames with a padded
// row stride, first without a code (a gradient with noise), then with the venue's code moving
// across the frame; the scanner reports the code once and it verifies as the venue. Called
// from FlowTest's runner.

import javax.imageio.ImageIO
import vn.khaibao.KhaibaoLibrary
import vn.khaibao.Scanner
import vn.khaibao.VenueScan

suspend fun streamScannerReportsTheVenueOnce(f: Fixture) {
    val img = ImageIO.read(f.png)
    val (cw, ch) = img.width to img.height
    val code = IntArray(cw * ch)
    img.raster.getSamples(0, 0, cw, ch, 0, code)
    val (w, h) = (cw + 160) to (ch + 120)
    val stride = w + 48
    var seed = 12345
    fun frame(withCode: Boolean, at: Int): ByteArray {
        val luma = ByteArray(stride * h)
        for (y in 0 until h) for (x in 0 until w) {
            seed = seed * 1103515245 + 12345
            luma[y * stride + x] = (60 + x * 120 / w + ((seed ushr 16) and 15)).toByte()
        }
        if (withCode) {
            val (ox, oy) = (20 + 6 * at) to (15 + 4 * at)
            for (y in 0 until ch) for (x in 0 until cw) luma[(oy + y) * stride + ox + x] = code[y * cw + x].toByte()
        }
        return luma
    }
    val texts = mutableListOf<String>()
    Scanner().use { scanner ->
        for (i in 0 until 14) {
            val codes = scanner.scan(frame(i >= 6, i - 6), w, h, stride, null)
            if (i < 6) checkEq(0, codes.size, "codes in frame $i, which has none")
            codes.forEach { texts.add(it.text!!) }
        }
        checkEq(listOf(f.code), texts, "venue reported once")
        val stats = scanner.stats()
        checkEq(14L, stats.frames, "frames")
        checkEq(1L, stats.reported, "reported")
        scanner.reset()
        checkEq(1, scanner.scan(frame(true, 0), w, h, stride, null).size, "after reset")
    }
    KhaibaoLibrary.open(f.config, WRAPPER).use { app ->
        val scanned = app.trust().readVenue(texts[0])
        check(scanned is VenueScan.Verified) { "not verified: $scanned" }
        checkEq("Trường THPT Chu Văn An", (scanned as VenueScan.Verified).venue.name(), "venue name")
    }
}
