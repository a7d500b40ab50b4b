// Trust updates through the generated Swift binding: an app that ships only the authority's
// root key syncs the keyset update and the venue registry over URLSession as the host HTTP
// client, then resolves the manual code `khaibao venue issue` printed for a poster to the
// same verified venue its QR gives. Run by FlowTest's runner; run_swift.sh passes KHAIBAO_BIN
// (the authority CLI, run here as the venue's issuer would).

import Foundation

let trustTests: [(String, (Fixture) async throws -> Void)] = [
    ("trustSyncAndManualCodeThroughURLSession", trustSyncAndManualCodeThroughURLSession),
]

/// Issues a poster with the authority's keys and returns what the CLI printed.
func issueVenue(keys: String, out: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: env("KHAIBAO_BIN"))
    p.arguments = ["venue", "issue", "--keys", keys, "--name", "Bến xe Miền Đông",
                   "--province", "79", "--category", "transport", "--out", out]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let said = String(decoding: data, as: UTF8.self)
    try checkEq(0, p.terminationStatus, "venue issue exit status: \(said)")
    return said
}

func trustSyncAndManualCodeThroughURLSession(_ f: Fixture) async throws {
    let keys = f.tmp + "/keys"
    let said = try issueVenue(keys: keys, out: f.tmp + "/trust-poster.svg")
    guard let range = said.range(of: #"manual code \d{4} \d{4} \d{2}"#, options: .regularExpression) else {
        throw Failure(description: "no manual code in: \(said)")
    }
    let manual = String(said[range].dropFirst("manual code ".count))
    guard let code = said.split(separator: "\n").first(where: { $0.hasPrefix("HTTPS://") }) else {
        throw Failure(description: "no venue code in: \(said)")
    }
    let publicTxt = try String(contentsOfFile: keys + "/public.txt", encoding: .utf8)
    guard let rootLine = publicTxt.split(whereSeparator: { $0 == "\n" || $0 == " " })
        .first(where: { $0.hasPrefix("root_public=") }) else {
        throw Failure(description: "no root key in public.txt")
    }
    var config = f.config("trust.db")
    config.venueKeys = []
    config.rootPublicKey = hex(String(rootLine.dropFirst("root_public=".count)))
    let app = try await KhaibaoLibrary.open(config: config, keyWrapper: WRAPPER)

    do {
        _ = try await app.trust().resolveManualCode(typed: manual)
        throw Failure(description: "a manual code resolved before any sync")
    } catch KhaibaoError.Venue(let code, _, _, _) {
        try checkEq(ErrorCode.venueRegistryMissing, code, "before any sync")
    }
    let client = URLSessionClient()
    let synced = try await app.trust().sync(client: client)
    try checkEq(2, client.calls, "requests through URLSession")
    try check(synced.keysetUpdated && synced.registryUpdated, "first sync: \(synced)")
    try check((synced.registry?.entries ?? 0) >= 2, "registry: \(String(describing: synced.registry))")
    let venue = try await app.trust().resolveManualCode(typed: manual)
    try checkEq("Bến xe Miền Đông", venue.name(), "venue name")
    guard case .verified(let scanned) = try await app.trust().readVenue(text: String(code)) else {
        throw Failure(description: "code not verified under the synced keyset")
    }
    try checkEq(venue.id(), scanned.id(), "typed and scanned venue")

    let last = manual.last!.wholeNumberValue!
    let typo = String(manual.dropLast()) + String((last + 1) % 10)
    do {
        _ = try await app.trust().resolveManualCode(typed: typo)
        throw Failure(description: "a mistyped manual code resolved")
    } catch KhaibaoError.Venue(let code, _, _, _) {
        try checkEq(ErrorCode.venueManualCodeInvalid, code, "typo")
    }
    let again = try await app.trust().sync(client: client)
    try check(!again.keysetUpdated && !again.registryUpdated, "second sync: \(again)")
}
