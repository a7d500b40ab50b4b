// The demo's ports: what its screens need from the khaibao library, in the demo's own plain
// types. The view models depend only on these protocols, so they compile and run without the
// library (tests drive them with fakes) and follow an API change of the library through one
// file, LibraryAdapter.swift. Mirrors android-demo/shared's Ports.kt.

import Foundation

public enum AppLanguage: String, Equatable { case vi, en }

/// A message the library wrote in both languages (core's error and field messages).
public struct Bilingual: Equatable {
    public let vi: String
    public let en: String
    public init(vi: String, en: String) { self.vi = vi; self.en = en }
    public func text(_ language: AppLanguage) -> String { language == .vi ? vi : en }
}

/// One field that failed core's validation; `field` is core's path (`travel[0].arrival`).
public struct FieldProblem: Equatable {
    public let field: String
    public let code: String
    public let message: Bilingual
    public init(field: String, code: String, message: Bilingual) { self.field = field; self.code = code; self.message = message }
}

/// A refusal from the library: its stable code, its message, and any field errors.
public struct LibraryError: Error, Equatable {
    public let code: String
    public let text: Bilingual
    public var fields: [FieldProblem] = []
    public init(code: String, text: Bilingual, fields: [FieldProblem] = []) { self.code = code; self.text = text; self.fields = fields }
}

public struct VenueInfo: Equatable {
    public let name: String
    public let address: String
    /// Core's category name (`school`, `hospital`…); the screen shows a translated label.
    public let category: String?
    public let verified: Bool
    /// Vehicle plate and route for public transport, empty otherwise.
    public let detail: String
    /// The text that was scanned or typed, so one code is checked in once.
    public let sourceText: String
    public init(name: String, address: String, category: String?, verified: Bool, detail: String, sourceText: String) {
        self.name = name; self.address = address; self.category = category; self.verified = verified
        self.detail = detail; self.sourceText = sourceText
    }
}

/// A venue the library read from a scanned text or a typed manual code.
public protocol ReadVenue { var info: VenueInfo { get } }

public struct VisitInfo: Equatable {
    public let id: Int64
    public let venueName: String
    public let address: String
    public let verified: Bool
    public let checkedInAt: Int64
    public let checkedOutAt: Int64?
    public let autoCheckoutAt: Int64
    public let edited: Bool
    public init(id: Int64, venueName: String, address: String, verified: Bool, checkedInAt: Int64,
                checkedOutAt: Int64?, autoCheckoutAt: Int64, edited: Bool) {
        self.id = id; self.venueName = venueName; self.address = address; self.verified = verified
        self.checkedInAt = checkedInAt; self.checkedOutAt = checkedOutAt; self.autoCheckoutAt = autoCheckoutAt
        self.edited = edited
    }
}

/// Core's declaration validation (`validateDeclaration`).
public protocol DeclarationValidator { func validate(_ form: DeclarationInput) -> [FieldProblem] }

/// Reading codes and checking in and out. Throws LibraryError. Calls that touch disk,
/// crypto or the network are `async`, so the library can do them off the caller's thread.
public protocol CheckInService {
    func readScanned(_ text: String) async throws -> ReadVenue
    func resolveManualCode(_ typed: String) async throws -> ReadVenue
    func checkIn(_ venue: ReadVenue, declaration: DeclarationInput?) async throws -> VisitInfo
    func checkOut() async throws -> VisitInfo
    func activeVisit() async throws -> VisitInfo?
}

public protocol VisitDiary {
    func visits() async throws -> [VisitInfo]
    func edit(visitId: Int64, checkedInAt: Int64, checkedOutAt: Int64) async throws -> VisitInfo
    /// Deletes a visit with its edits and the citizen's copy of its declaration.
    func delete(visitId: Int64) async throws
    func exportCsv(_ language: AppLanguage) async throws -> String
    func pendingUploads() async throws -> Int
}

public protocol PassService {
    /// Registers the device with the authority once; returns its certificate.
    func register() async throws -> Data
    func makePass(_ declaration: DeclarationInput, certificate: Data, showName: Bool) async throws -> String
    /// How long a pass stays valid, in seconds.
    var validSeconds: Int64 { get }
}

public enum PassStatus: String, CaseIterable { case green, yellow, red }
public enum DoorDirection: Equatable { case entry, exit }

/// A pass admitted at the door. `status` is the colour the person's own app derived from their
/// own answers, unless `statusAttested`: then the authority vouches for it (core's
/// PassCheck.status_attested). The staff screen says which.
public struct DoorAdmission: Equatable {
    public let direction: DoorDirection
    public let status: PassStatus
    public let name: String?
    public let at: Int64
    public let pseudonym: String
    public let statusAttested: Bool
    public init(direction: DoorDirection, status: PassStatus, name: String?, at: Int64, pseudonym: String, statusAttested: Bool = false) {
        self.direction = direction; self.status = status; self.name = name; self.at = at; self.pseudonym = pseudonym
        self.statusAttested = statusAttested
    }
}

/// One passage of the day; times as the log writes them (Vietnam local time).
public struct DoorEntry: Equatable {
    public let pseudonym: String
    public let status: PassStatus
    public let enteredAt: String
    public let exitedAt: String?
}

public struct DoorReport: Equatable {
    public let visitors: Int
    public let stillInside: Int
    public let entriesPerHour: [Int]
    public init(visitors: Int, stillInside: Int, entriesPerHour: [Int]) {
        self.visitors = visitors; self.stillInside = stillInside; self.entriesPerHour = entriesPerHour
    }
}

/// The staff app's door log: passes verified offline against the authority's keys.
public protocol DoorLog {
    func scan(_ text: String) async throws -> DoorAdmission
    func report() async throws -> DoorReport
    /// The day's log as CSV: `pseudonym,status,entered_at,exited_at`.
    func exportCsv() async throws -> String
}

/// An exposure alert: one visit of the diary overlapped a published case.
public struct ExposureMatch: Equatable {
    public let visitId: Int64
    public let venueName: String
    public let visitStart: Int64
    public let visitEnd: Int64
    public let recommendation: String
    public init(visitId: Int64, venueName: String, visitStart: Int64, visitEnd: Int64, recommendation: String) {
        self.visitId = visitId; self.venueName = venueName; self.visitStart = visitStart; self.visitEnd = visitEnd
        self.recommendation = recommendation
    }
}

/// Network work run in the background (BGAppRefreshTask).
public protocol BackgroundSync {
    /// Uploads queued declarations; returns how many are still queued.
    func upload() async throws -> Int
    func syncExposures() async throws -> [ExposureMatch]
    func syncTrust() async throws
}

/// The app's small settings store (UserDefaults).
public protocol Settings: AnyObject {
    func get(_ key: String) -> String?
    func put(_ key: String, _ value: String)
}

/// The time (so tests can move it).
public protocol DemoClock { var nowMillis: Int64 { get } }
public extension DemoClock { var nowSeconds: Int64 { nowMillis / 1000 } }

public struct SystemClock: DemoClock {
    public init() {}
    public var nowMillis: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
