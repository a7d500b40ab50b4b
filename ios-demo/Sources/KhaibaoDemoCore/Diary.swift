// The diary screen (visits newest first, edit times, export) and the exposure alerts that
// open the matching visit from a notification. Mirrors Diary.kt.

import Foundation

public struct DiaryRow: Equatable { public let id: Int64, venue: String, verified: Bool, period: Message, edited: Bool }

public func diaryRow(_ v: VisitInfo) -> DiaryRow {
    let start = formatTime(v.checkedInAt)
    let period = v.checkedOutAt.map { Message(.checked_out_at, [start, formatTime($0)]) } ?? Message(.still_here, [start])
    return DiaryRow(id: v.id, venue: v.venueName, verified: v.verified, period: period, edited: v.edited)
}

public final class DiaryViewModel {
    public private(set) var rows: [DiaryRow] = []
    public private(set) var error: Bilingual?
    public private(set) var status = Message(.outbox_all_sent)
    /// The visit the person asked to delete, waiting for their confirmation.
    public private(set) var deleting: DiaryRow?
    private var pendingAnnouncement: Message?
    private let diary: VisitDiary
    public init(diary: VisitDiary) { self.diary = diary }

    public func takeAnnouncement() -> Message? { defer { pendingAnnouncement = nil }; return pendingAnnouncement }

    /// Asks to delete a visit: the screen shows `deleteQuestion` with confirm and cancel.
    public func askDelete(_ visitId: Int64) { deleting = rows.first { $0.id == visitId } }
    public func cancelDelete() { deleting = nil }

    /// What the confirmation asks; it says a declaration already sent is not recalled.
    public var deleteQuestion: Message? { deleting.map { Message(.delete_visit_question, [$0.venue]) } }

    /// Deletes the visit asked about; false (with core's message) when the library refuses.
    @discardableResult
    public func confirmDelete() async -> Bool {
        guard let row = deleting else { return false }
        deleting = nil
        do {
            try await diary.delete(visitId: row.id)
            error = nil
            pendingAnnouncement = Message(.announce_visit_deleted, [row.venue])
            await refresh()
            return true
        } catch let e as LibraryError { error = e.text; return false } catch { return false }
    }

    public func refresh() async {
        do {
            rows = try await diary.visits().map(diaryRow)
            let pending = try await diary.pendingUploads()
            status = pending > 0 ? Message(.outbox_pending, [String(pending)]) : Message(.outbox_all_sent)
        } catch let e as LibraryError { error = e.text } catch {}
    }

    /// Corrects a visit's times; core keeps the original too.
    @discardableResult
    public func edit(visitId: Int64, checkedInAt: Int64, checkedOutAt: Int64) async -> Bool {
        do {
            _ = try await diary.edit(visitId: visitId, checkedInAt: checkedInAt, checkedOutAt: checkedOutAt)
            error = nil
            await refresh()
            return true
        } catch let e as LibraryError { error = e.text; return false } catch { return false }
    }

    /// The CSV the share sheet sends (in the app's language).
    public func export(_ language: AppLanguage) async throws -> String { try await diary.exportCsv(language) }
}

/// A notification for an exposure alert; tapping it opens `visitId` in the diary.
public struct AlertNotification: Equatable { public let visitId: Int64, title: Message, body: Message, advice: Message }

public func recommendationKey(_ r: String) -> Str {
    switch r { case "isolate": return .recommendation_isolate; case "get_tested": return .recommendation_get_tested
    default: return .recommendation_monitor_symptoms }
}

public func alertNotifications(_ matches: [ExposureMatch]) -> [AlertNotification] {
    matches.map {
        AlertNotification(visitId: $0.visitId, title: Message(.exposure_title),
                          body: Message(.exposure_body, [$0.venueName, formatTime($0.visitStart), formatTime($0.visitEnd)]),
                          advice: Message(recommendationKey($0.recommendation)))
    }
}

/// The notification's tap: the visit it is about, if the diary still holds it.
public func visitForAlert(_ diary: VisitDiary, _ visitId: Int64) async -> VisitInfo? {
    (try? await diary.visits())?.first { $0.id == visitId }
}
