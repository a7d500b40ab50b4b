// The stream scanner through the generated Swift binding: camera-sized frames with a padded
// row stride, first without a code (a gradient with noise), then with the venue's code moving
// across the frame; the scanner reports the code once and it verifies as the venue. Run by
// FlowTest's runner.

import Foundation

let scannerTests: [(String, (Fixture) async throws -> Void)] = [
    ("streamScannerReportsTheVenueOnce", streamScannerReportsTheVenueOnce),
]

func streamScannerReportsTheVenueOnce(_ f: Fixture) async throws {
    let (cw, ch) = (Int(f.width), Int(f.height))
    let code = [UInt8](f.luma)
    let (w, h) = (cw + 160, ch + 120)
    let stride = w + 48
    var seed: UInt32 = 12345
    func frame(_ withCode: Bool, _ at: Int) -> Data {
        var luma = [UInt8](repeating: 0, count: stride * h)
        for y in 0..<h {
            for x in 0..<w {
                seed = seed &* 1103515245 &+ 12345
                luma[y * stride + x] = UInt8(60 + x * 120 / w + Int((seed >> 16) & 15))
            }
        }
        if withCode {
            let (ox, oy) = (20 + 6 * at, 15 + 4 * at)
            for y in 0..<ch {
                for x in 0..<cw { luma[(oy + y) * stride + ox + x] = code[y * cw + x] }
            }
        }
        return Data(luma)
    }
    let scanner = Scanner()
    var texts: [String] = []
    for i in 0..<14 {
        let codes = try scanner.scan(luma: frame(i >= 6, i - 6), width: Int32(w), height: Int32(h),
                                     stride: Int32(stride), roi: nil)
        if i < 6 { try checkEq(0, codes.count, "codes in frame \(i), which has none") }
        texts += codes.compactMap(\.text)
    }
    try checkEq([f.code], texts, "venue reported once")
    let stats = scanner.stats()
    try checkEq(14, stats.frames, "frames")
    try checkEq(1, stats.reported, "reported")
    scanner.reset()
    let again = try scanner.scan(luma: frame(true, 0), width: Int32(w), height: Int32(h),
                                 stride: Int32(stride), roi: nil)
    try checkEq(1, again.count, "after reset")

    let app = try await KhaibaoLibrary.open(config: f.config("scanner.db"), keyWrapper: WRAPPER)
    let scanned = try await app.trust().readVenue(text: texts[0])
    guard case .verified(let venue) = scanned else { throw Failure(description: "not verified: \(scanned)") }
    try checkEq("Trường THPT Chu Văn An", venue.name(), "venue name")
}
