// The citizen's check-in screen as a state machine: camera permission (with a denied state
// offering manual entry), scanning (frames throttled, one venue at a time), confirmation,
// declaration, the active visit with check-out and its automatic check-out time. The camera
// only feeds frames while scanning, so a poster in view cannot replace the venue being
// checked into. Mirrors CheckIn.kt.

import Foundation

/// Which camera frames are decoded (one per `frameIntervalMillis`) and which decoded texts
/// count (the same text again within `repeatMillis` does not).
public final class ScanGate {
    private let frameInterval: Int64, repeatWindow: Int64
    private var lastFrameAt: Int64?, lastText: String?, lastTextAt: Int64 = .min
    public init(frameIntervalMillis: Int64 = 200, repeatMillis: Int64 = 3000) {
        frameInterval = frameIntervalMillis; repeatWindow = repeatMillis
    }
    public func analyse(_ nowMillis: Int64) -> Bool {
        if let last = lastFrameAt, nowMillis - last < frameInterval { return false }
        lastFrameAt = nowMillis
        return true
    }
    public func accept(_ text: String, _ nowMillis: Int64) -> Bool {
        if text == lastText, nowMillis - lastTextAt < repeatWindow { return false }
        lastText = text; lastTextAt = nowMillis
        return true
    }
}

public enum CheckInState {
    case askingPermission, permissionDenied, scanning
    case manualEntry(typed: String)
    case confirming(ReadVenue), declaring(ReadVenue)
    case active(VisitInfo)

    public var isScanning: Bool { if case .scanning = self { return true }; return false }
}

public struct VenueCard: Equatable {
    public let title: String, category: Message?, subtitle: String, verified: Bool, warning: Message?
}

public func venueCard(_ v: VenueInfo) -> VenueCard {
    v.verified
        ? VenueCard(title: v.name, category: Message(categoryKey(v.category)),
                    subtitle: [v.address, v.detail].filter { !$0.isEmpty }.joined(separator: " — "), verified: true, warning: nil)
        : VenueCard(title: String(v.name.prefix(80)), category: nil, subtitle: "", verified: false, warning: Message(.venue_unverified_warning))
}

public final class CheckInViewModel {
    public private(set) var state: CheckInState = .askingPermission
    /// The last refusal from the library, in both languages.
    public private(set) var error: Bilingual?
    public let gate = ScanGate()
    private var pendingAnnouncement: Message?
    private var activeCode: String?
    /// A check-in is under way: further taps do nothing until it ends.
    public private(set) var busy = false
    private let service: CheckInService
    private let clock: DemoClock

    public init(service: CheckInService, clock: DemoClock = SystemClock()) { self.service = service; self.clock = clock }

    /// What VoiceOver should announce now; taken once.
    public func takeAnnouncement() -> Message? { defer { pendingAnnouncement = nil }; return pendingAnnouncement }

    public func start(cameraGranted: Bool?) async {
        if let active = try? await service.activeVisit() { state = .active(active); return }
        switch cameraGranted { case nil: state = .askingPermission; case true?: state = .scanning; case false?: state = .permissionDenied }
    }

    public func onPermissionResult(_ granted: Bool) {
        switch state { case .askingPermission, .permissionDenied: state = granted ? .scanning : .permissionDenied; default: break }
    }

    /// Whether the camera should run in the current state.
    public var cameraActive: Bool { state.isScanning }

    public func onScanned(_ text: String) async {
        guard state.isScanning, gate.accept(text, clock.nowMillis) else { return }
        await read { try await self.service.readScanned(text) }
    }

    public func openManualEntry() {
        switch state { case .scanning, .permissionDenied: error = nil; state = .manualEntry(typed: ""); default: break }
    }

    public func typeManual(_ text: String) { if case .manualEntry = state { state = .manualEntry(typed: text) } }

    public func submitManual() async {
        guard case .manualEntry(let typed) = state else { return }
        await read { try await self.service.resolveManualCode(typed) }
    }

    private func read(_ call: () async throws -> ReadVenue) async {
        do {
            let venue = try await call()
            error = nil
            if venue.info.sourceText == activeCode {
                pendingAnnouncement = Message(.announce_same_venue, [venue.info.name])
                return
            }
            pendingAnnouncement = Message(.announce_venue_read, [venue.info.name])
            state = .confirming(venue)
        } catch let e as LibraryError { error = e.text } catch {}
    }

    public func confirm(withDeclaration: Bool) async {
        guard case .confirming(let venue) = state else { return }
        if withDeclaration { state = .declaring(venue) } else { try? await checkIn(venue, nil) }
    }

    /// The declaration's submit: core validates it again as part of the check-in.
    public func submitDeclaration(_ form: DeclarationFormViewModel) async {
        guard case .declaring(let venue) = state, !busy, let input = form.submit() else { return }
        do { try await checkIn(venue, input) } catch let e as LibraryError { form.show(e.fields) } catch {}
    }

    private func checkIn(_ venue: ReadVenue, _ declaration: DeclarationInput?) async throws {
        guard !busy else { return }
        busy = true
        defer { busy = false }
        do {
            let visit = try await service.checkIn(venue, declaration: declaration)
            activeCode = venue.info.sourceText
            error = nil
            pendingAnnouncement = Message(.announce_checked_in, [visit.venueName])
            state = .active(visit)
        } catch let e as LibraryError {
            if !e.fields.isEmpty && declaration != nil { throw e }
            error = e.text
        }
    }

    /// Back: from a venue, the form or manual entry (or scanning during a visit).
    public func cancel() async {
        switch state {
        case .confirming, .declaring, .manualEntry, .scanning:
            error = nil
            if let active = try? await service.activeVisit() { state = .active(active) } else { state = .scanning }
        default: break
        }
    }

    /// From the active visit: scan the next venue (checking in there ends this visit).
    public func scanNext() { if case .active = state { state = .scanning } }

    public func checkOut() async {
        guard case .active = state else { return }
        do {
            let visit = try await service.checkOut()
            activeCode = nil
            pendingAnnouncement = Message(.announce_checked_out, [visit.venueName])
            state = .scanning
        } catch let e as LibraryError { error = e.text } catch {}
    }

    public func activeLines(_ v: VisitInfo) -> [Message] {
        [Message(.checked_in_since, [formatTime(v.checkedInAt)]), Message(.auto_checkout_at, [formatTime(v.autoCheckoutAt)])]
    }

    /// Called when the clock passes the automatic check-out: the visit is over.
    public func tick() {
        guard case .active(let v) = state, clock.nowSeconds >= v.autoCheckoutAt else { return }
        activeCode = nil
        state = .scanning
    }
}
