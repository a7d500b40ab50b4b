// The one file that knows the khaibao binding: it maps the demo's ports (Ports.swift) to the
// generated Swift API (module Khaibao). When the library's API changes, this file changes
// and the view models do not. Mirrors android-demo's LibraryAdapter.kt.

import Foundation
#if !KHAIBAO_ONE_MODULE  // the test script compiles everything into one module
import Khaibao
#endif

private func problem(_ e: FieldError) -> FieldProblem {
    FieldProblem(field: e.field, code: e.code, message: Bilingual(vi: e.messageVi, en: e.messageEn))
}

/// The library's typed error as the demo's LibraryError (code, vi/en message, fields).
public func libraryError(_ error: Error) -> LibraryError {
    func plain(_ code: ErrorCode, _ vi: String, _ en: String) -> LibraryError {
        LibraryError(code: errorCodeString(code: code), text: Bilingual(vi: vi, en: en))
    }
    switch error as? KhaibaoError {
    case .Validation(let fields, let vi, let en)?:
        return LibraryError(code: "declaration.invalid", text: Bilingual(vi: vi, en: en), fields: fields.map(problem))
    case .Format(let c, let vi, let en, _)?, .Venue(let c, let vi, let en, _)?, .Scan(let c, let vi, let en, _)?,
         .Seal(let c, let vi, let en, _)?, .Storage(let c, let vi, let en, _)?, .Network(let c, let vi, let en, _)?,
         .Pass(let c, let vi, let en, _)?, .Diary(let c, let vi, let en, _)?, .Api(let c, let vi, let en, _)?,
         .Config(let c, let vi, let en, _)?, .Keystore(let c, let vi, let en, _)?, .Host(let c, let vi, let en, _)?,
         .Internal(let c, let vi, let en, _)?:
        return plain(c, vi, en)
    case nil:
        return LibraryError(code: "internal", text: Bilingual(vi: "Lỗi không xác định", en: "Unknown error"))
    }
}

private func lib<T>(_ call: () throws -> T) throws -> T {
    do { return try call() } catch { throw libraryError(error) }
}

private func libAsync<T>(_ call: () async throws -> T) async throws -> T {
    do { return try await call() } catch { throw libraryError(error) }
}

private func date(_ d: Day) -> CalendarDate {
    CalendarDate(year: Int32(clamping: d.year), month: Int32(clamping: d.month), day: Int32(clamping: d.day))
}

/// The ports' Unix seconds of one of the library's times.
private func seconds(_ t: Date) -> Int64 { Int64(t.timeIntervalSince1970.rounded(.down)) }

/// The demo's declaration as core's record, field by field.
public func coreDeclaration(_ i: DeclarationInput) -> Declaration {
    let sex: Sex? = i.sex.map { switch $0 { case .male: return .male; case .female: return .female; case .other: return .other } }
    let id: IdDocument? = i.idKind.map {
        switch $0 { case .cccd: return .cccd(number: i.idNumber); case .cmnd: return .cmnd(number: i.idNumber)
        case .passport: return .passport(number: i.idNumber) }
    }
    let symptoms: [Symptom] = SymptomChoice.allCases.filter { i.symptoms.contains($0) }.map {
        switch $0 {
        case .fever: return .fever; case .cough: return .cough; case .breathingDifficulty: return .breathingDifficulty
        case .soreThroat: return .soreThroat; case .nauseaVomiting: return .nauseaVomiting; case .diarrhoea: return .diarrhoea
        case .skinBleeding: return .skinBleeding; case .skinRash: return .skinRash; case .fatigue: return .fatigue
        case .lossOfTasteOrSmell: return .lossOfTasteOrSmell
        }
    }
    let travel: [Travel] = i.travel.map { t in
        let mode: TravelMode
        switch t.mode { case .air: mode = .air; case .train: mode = .train; case .car: mode = .car; case .ship: mode = .ship; case .other: mode = .other }
        return Travel(mode: mode, vehicleNumber: t.vehicleNumber, seat: t.seat, departure: date(t.departure), arrival: date(t.arrival), places: t.places)
    }
    return Declaration(
        fullName: i.fullName, birthYear: Int32(clamping: i.birthYear), dateOfBirth: i.dateOfBirth.map(date), sex: sex,
        nationality: i.nationality, idDocument: id, phone: i.phone, email: i.email, province: Int32(clamping: i.province),
        district: i.district.map { Int32(clamping: $0) }, ward: i.ward.map { Int32(clamping: $0) }, street: i.street,
        healthInsurance: i.healthInsurance, travel: travel, symptoms: symptoms, closeContact: i.closeContact,
        visitedPlaceWithCases: i.visitedPlaceWithCases, visitedAnimalMarket: i.visitedAnimalMarket,
        vaccination: i.vaccination.map { VaccineDose(date: date($0.date), vaccine: $0.vaccine) },
        recoveredOn: i.recoveredOn.map(date), negativeTestOn: i.negativeTestOn.map(date), onBehalf: i.onBehalf)
}

private func info(_ v: Visit) -> VisitInfo {
    VisitInfo(id: v.id, venueName: v.venueName, address: v.address, verified: v.verified, checkedInAt: seconds(v.checkedInAt),
              checkedOutAt: v.checkedOutAt.map(seconds), autoCheckoutAt: seconds(v.autoCheckoutAt), edited: v.edited)
}

/// A venue the library read: keeps the library's VenueScan for the check-in.
public struct LibraryVenue: ReadVenue {
    public let scanned: VenueScan
    public let info: VenueInfo
    init(_ scanned: VenueScan, source: String) {
        self.scanned = scanned
        switch scanned {
        case .verified(let v):
            info = VenueInfo(name: v.name(), address: v.address(), category: "\(v.category())".lowercased(), verified: true,
                             detail: [v.vehiclePlate(), v.route()].compactMap { $0 }.joined(separator: " · "), sourceText: source)
        case .unverified(let text):
            info = VenueInfo(name: text, address: "", category: nil, verified: false, detail: "", sourceText: source)
        }
    }
}

public struct CoreValidator: DeclarationValidator {
    public init() {}
    public func validate(_ form: DeclarationInput) -> [FieldProblem] {
        validateDeclaration(declaration: coreDeclaration(form)).map(problem)
    }
}

public struct CoreFrameDecoder: FrameDecoder {
    public init() {}
    public func decode(_ plane: LumaPlane, roi: Roi?) -> String? {
        let region = roi.map {
            Region(x: Int32(clamping: $0.x), y: Int32(clamping: $0.y), width: Int32(clamping: $0.width), height: Int32(clamping: $0.height))
        }
        let codes = (try? scanFrame(luma: plane.bytes, width: Int32(plane.width), height: Int32(plane.height),
                                    stride: Int32(plane.bytesPerRow), roi: region)) ?? []
        return codes.lazy.compactMap(\.text).first
    }
}

/// The citizen's ports over one library handle. `client` is the host's HTTP client for
/// uploads and syncs (nil: the library's own); trust sync runs only with a root key.
public final class LibraryPorts: CheckInService, VisitDiary, PassService, BackgroundSync {
    private let app: KhaibaoLibrary, client: HostHttpClient?, trustConfigured: Bool
    public init(app: KhaibaoLibrary, client: HostHttpClient?, trustConfigured: Bool) {
        self.app = app; self.client = client; self.trustConfigured = trustConfigured
    }

    public func readScanned(_ text: String) async throws -> ReadVenue { try await libAsync { LibraryVenue(try await app.trust().readVenue(text: text), source: text) } }
    public func resolveManualCode(_ typed: String) async throws -> ReadVenue {
        try await libAsync { LibraryVenue(.verified(venue: try await app.trust().resolveManualCode(typed: typed)), source: typed.filter { $0.isLetter || $0.isNumber }) }
    }
    public func checkIn(_ venue: ReadVenue, declaration: DeclarationInput?) async throws -> VisitInfo {
        guard let v = venue as? LibraryVenue else { throw LibraryError(code: "venue.unknown", text: Bilingual(vi: "Địa điểm không hợp lệ", en: "Not a venue")) }
        return try await libAsync { info(try await app.diary().checkIn(venue: v.scanned, declaration: declaration.map(coreDeclaration))) }
    }
    public func checkOut() async throws -> VisitInfo { try await libAsync { info(try await app.diary().checkOut()) } }
    public func activeVisit() async throws -> VisitInfo? { try await libAsync { try await app.diary().activeVisit().map(info) } }

    public func visits() async throws -> [VisitInfo] { try await libAsync { try await app.diary().visits().map(info) } }
    public func edit(visitId: Int64, checkedInAt: Int64, checkedOutAt: Int64) async throws -> VisitInfo {
        try await libAsync {
            info(try await app.diary().editVisit(visitId: visitId, checkedInAt: Date(timeIntervalSince1970: TimeInterval(checkedInAt)),
                                                 checkedOutAt: Date(timeIntervalSince1970: TimeInterval(checkedOutAt))))
        }
    }
    public func delete(visitId: Int64) async throws { try await libAsync { try await app.diary().deleteVisit(visitId: visitId) } }
    public func exportCsv(_ language: AppLanguage) async throws -> String {
        try await libAsync { try await app.diary().exportCsv(language: language == .vi ? .vietnamese : .english).visits }
    }
    public func pendingUploads() async throws -> Int { try await libAsync { Int(try await app.uploads().counts().pending) } }

    public func register() async throws -> Data { try await libAsync { try await app.passes().registerDevice(client: client) } }
    public func makePass(_ declaration: DeclarationInput, certificate: Data, showName: Bool) async throws -> String {
        try await libAsync { try await app.passes().makePass(declaration: coreDeclaration(declaration), certificate: certificate, showName: showName) }
    }
    public var validSeconds: Int64 { 5 * 60 }

    public func upload() async throws -> Int {
        try await libAsync {
            Int(try await app.uploads().upload(options: UploadOptions(client: client)).remaining)
        }
    }
    public func syncExposures() async throws -> [ExposureMatch] {
        try await libAsync {
            try await app.exposures().sync(client: client, minOverlapSeconds: nil, listener: nil).alerts.map {
                ExposureMatch(visitId: $0.visitId, venueName: $0.venueName, visitStart: seconds($0.visitStart), visitEnd: seconds($0.visitEnd),
                              recommendation: recommendation($0.recommendation))
            }
        }
    }
    public func syncTrust() async throws {
        if trustConfigured { _ = try await libAsync { try await app.trust().sync(client: client) } }
    }
}

private func recommendation(_ r: Recommendation) -> String {
    switch r { case .monitorSymptoms: return "monitor_symptoms"; case .getTested: return "get_tested"; case .isolate: return "isolate" }
}

/// The staff app's door log over the library's VenueStaff (offline pass verification).
public struct LibraryDoorLog: DoorLog {
    let staff: VenueStaff
    public init(staff: VenueStaff) { self.staff = staff }
    public func scan(_ text: String) async throws -> DoorAdmission {
        try await libAsync {
            let a = try await staff.scan(text: text)
            let status: PassStatus
            switch a.check.status { case .green: status = .green; case .yellow: status = .yellow; case .red: status = .red }
            return DoorAdmission(direction: a.direction == .entry ? .entry : .exit, status: status, name: a.check.name,
                                 at: seconds(a.at), pseudonym: a.check.pseudonym, statusAttested: a.check.statusAttested)
        }
    }
    public func report() async throws -> DoorReport {
        try await libAsync {
            let r = try await staff.report()
            return DoorReport(visitors: Int(r.visitors), stillInside: Int(r.stillInside), entriesPerHour: r.entriesPerHour.map { Int($0) })
        }
    }
    public func exportCsv() async throws -> String { try await libAsync { try await staff.exportCsv() } }
}
