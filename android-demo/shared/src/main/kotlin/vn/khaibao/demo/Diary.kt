// The diary screen (visits newest first, edit times, export) and the exposure alerts that
// open the matching visit from a system notification.

package vn.khaibao.demo

data class DiaryRow(val id: Long, val venue: String, val verified: Boolean, val period: Message, val edited: Boolean)

fun diaryRow(v: VisitInfo): DiaryRow {
    val start = formatTime(v.checkedInAt)
    val period = v.checkedOutAt?.let { Message(Str.checked_out_at, listOf(start, formatTime(it))) }
        ?: Message(Str.still_here, listOf(start))
    return DiaryRow(v.id, v.venueName, v.verified, period, v.edited)
}

class DiaryViewModel(private val diary: VisitDiary) {
    var rows: List<DiaryRow> = emptyList()
        private set
    var error: Bilingual? = null
        private set

    /** The visit the person asked to delete, waiting for their confirmation. */
    var deleting: DiaryRow? = null
        private set
    private var pendingAnnouncement: Message? = null

    fun takeAnnouncement(): Message? = pendingAnnouncement.also { pendingAnnouncement = null }

    /** The status line: what still waits for upload. */
    var status = Message(Str.outbox_all_sent)
        private set

    suspend fun refresh() {
        rows = diary.visits().map(::diaryRow)
        val pending = diary.pendingUploads()
        status = if (pending > 0) Message(Str.outbox_pending, listOf(pending)) else Message(Str.outbox_all_sent)
    }

    /** Corrects a visit's times (typed HH:mm dd/MM/yyyy); core keeps the original too. */
    suspend fun edit(visitId: Long, checkedInAt: Long, checkedOutAt: Long): Boolean = try {
        diary.edit(visitId, checkedInAt, checkedOutAt)
        error = null
        refresh()
        true
    } catch (e: LibraryError) {
        error = e.text
        false
    }

    /** Asks to delete a visit: the screen shows `deleteQuestion` with confirm and cancel. */
    fun askDelete(visitId: Long) {
        deleting = rows.firstOrNull { it.id == visitId }
    }

    fun cancelDelete() {
        deleting = null
    }

    /** What the confirmation asks; it says a declaration already sent is not recalled. */
    val deleteQuestion: Message? get() = deleting?.let { Message(Str.delete_visit_question, listOf(it.venue)) }

    /** Deletes the visit asked about; false (with core's message) when the library refuses. */
    suspend fun confirmDelete(): Boolean {
        val row = deleting ?: return false
        deleting = null
        return try {
            diary.delete(row.id)
            error = null
            pendingAnnouncement = Message(Str.announce_visit_deleted, listOf(row.venue))
            refresh()
            true
        } catch (e: LibraryError) {
            error = e.text
            false
        }
    }

    /** The CSV the share sheet sends (in the app's language). */
    suspend fun export(language: Language): String = diary.exportCsv(language)
}

/** A system notification for an exposure alert; tapping it opens `visitId` in the diary. */
data class AlertNotification(val visitId: Long, val title: Message, val body: Message, val advice: Message)

fun recommendationKey(recommendation: String): Str = when (recommendation) {
    "isolate" -> Str.recommendation_isolate
    "get_tested" -> Str.recommendation_get_tested
    else -> Str.recommendation_monitor_symptoms
}

fun alertNotifications(matches: List<ExposureMatch>): List<AlertNotification> = matches.map {
    AlertNotification(
        visitId = it.visitId,
        title = Message(Str.exposure_title),
        body = Message(Str.exposure_body, listOf(it.venueName, formatTime(it.visitStart), formatTime(it.visitEnd))),
        advice = Message(recommendationKey(it.recommendation)),
    )
}

/** The notification's tap: the visit it is about, if the diary still holds it. */
suspend fun visitForAlert(diary: VisitDiary, visitId: Long): VisitInfo? = diary.visits().firstOrNull { it.id == visitId }
