// The Swift platform layer (bindings/platform/swift): the diary's AsyncStream yields the
// visits on iteration and after each change. Run from FlowTest's runner.

import Foundation

func platformDiaryStreamFollowsChanges(_ f: Fixture) async throws {
    let app = try await KhaibaoLibrary.open(config: f.config("stream.db"), keyWrapper: WRAPPER)
    var visits = app.diary().visitsStream().makeAsyncIterator()
    try checkEq(0, try await visits.next()?.count, "the diary on iteration")
    _ = try await app.diary().checkIn(venue: try await app.trust().readVenue(text: f.code), declaration: nil)
    try checkEq(1, try await visits.next()?.count, "after the check-in")
    _ = try await app.diary().checkOut()
    try check(try await visits.next()?.first?.checkedOutAt != nil, "after the check-out")
}

let platformTests: [(String, (Fixture) async throws -> Void)] = [
    ("platformDiaryStreamFollowsChanges", platformDiaryStreamFollowsChanges),
]
