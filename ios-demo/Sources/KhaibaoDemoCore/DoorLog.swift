// Staff mode: the door scans visitors' personal passes, verified on the phone against the
// authority's keys (no network: it works offline), recorded as entry or exit; today's list,
// the report and the CSV come from the door log's own store. Mirrors DoorLog.kt.

import Foundation

public enum DoorResult: Equatable { case admitted(DoorAdmission), refused(Bilingual) }

public final class DoorLogViewModel {
    public let gate = ScanGate()
    public private(set) var last: DoorResult?
    public private(set) var today: [DoorEntry] = []
    public private(set) var report = DoorReport(visitors: 0, stillInside: 0, entriesPerHour: Array(repeating: 0, count: 24))
    private var pendingAnnouncement: Message?
    private let log: DoorLog, clock: DemoClock

    public init(log: DoorLog, clock: DemoClock = SystemClock()) { self.log = log; self.clock = clock }

    public func takeAnnouncement() -> Message? { defer { pendingAnnouncement = nil }; return pendingAnnouncement }

    public func onScanned(_ text: String) async {
        guard gate.accept(text, clock.nowMillis) else { return }
        do {
            let a = try await log.scan(text)
            pendingAnnouncement = admissionText(a)
            last = .admitted(a)
        } catch let e as LibraryError {
            pendingAnnouncement = Message(.door_refused)
            last = .refused(e.text)
        } catch {}
        await refresh()
    }

    public func refresh() async {
        if let r = try? await log.report() { report = r }
        if let csv = try? await log.exportCsv() { today = parseDoorCsv(csv) }
    }

    public func export() async throws -> String { try await log.exportCsv() }
}

/// Who vouches for an admitted pass's colour: the person (self-declared) or the authority.
public func statusSource(_ a: DoorAdmission) -> Str { a.statusAttested ? .door_status_attested : .door_status_self_declared }

/// What the door screen shows and announces: entry or exit, the colour and who vouches for it.
public func admissionText(_ a: DoorAdmission) -> Message {
    Message(a.direction == .entry ? .door_entry : .door_exit, [statusKey(a.status).rawValue, statusSource(a).rawValue])
}

/// The door log's CSV (`pseudonym,status,entered_at,exited_at`) as today's list.
public func parseDoorCsv(_ csv: String) -> [DoorEntry] {
    csv.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
        let c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard c.count >= 4, let status = PassStatus(rawValue: c[1].lowercased()) else { return nil }
        let exit = c[3].trimmingCharacters(in: .whitespaces)
        return DoorEntry(pseudonym: c[0], status: status, enteredAt: c[2], exitedAt: exit.isEmpty ? nil : exit)
    }
}
