// The citizen's check-in screen as a state machine: camera permission (with a denied state
// that offers manual entry), scanning (frames throttled, one venue at a time), the venue
// confirmation, the declaration, the active visit with its check-out and automatic check-out
// time. The camera only feeds frames while the state is Scanning, so a poster still in view
// cannot replace the venue being checked into.

package vn.khaibao.demo

import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

val VIETNAM: ZoneId = ZoneId.of("Asia/Ho_Chi_Minh")
private val timeFormat = DateTimeFormatter.ofPattern("HH:mm dd/MM/yyyy").withZone(VIETNAM)

fun formatTime(unixSeconds: Long): String = timeFormat.format(Instant.ofEpochSecond(unixSeconds))

/**
 * Decides which camera frames are analysed and which decoded texts count. At most one frame
 * per `frameIntervalMillis` is decoded (the rest are closed at once), and the same text read
 * again within `repeatMillis` is ignored.
 */
class ScanGate(private val frameIntervalMillis: Long = 200, private val repeatMillis: Long = 3000) {
    private var lastFrameAt = Long.MIN_VALUE
    private var lastText: String? = null
    private var lastTextAt = Long.MIN_VALUE

    /** Whether to decode the frame that arrived at `nowMillis`. */
    fun analyse(nowMillis: Long): Boolean {
        if (lastFrameAt != Long.MIN_VALUE && nowMillis - lastFrameAt < frameIntervalMillis) return false
        lastFrameAt = nowMillis
        return true
    }

    /** Whether a decoded text is new (not the one just read). */
    fun accept(text: String, nowMillis: Long): Boolean {
        if (text == lastText && nowMillis - lastTextAt < repeatMillis) return false
        lastText = text
        lastTextAt = nowMillis
        return true
    }
}

sealed class CheckInState {
    /** The camera permission has not been answered yet. */
    object AskingPermission : CheckInState()

    /** The camera is refused: the screen explains and offers manual entry. */
    object PermissionDenied : CheckInState()
    object Scanning : CheckInState()
    data class ManualEntry(val typed: String = "") : CheckInState()
    data class Confirming(val venue: ReadVenue) : CheckInState()
    data class Declaring(val venue: ReadVenue) : CheckInState()
    data class Active(val visit: VisitInfo) : CheckInState()
}

/** The venue confirmation card. */
data class VenueCard(val title: String, val category: Message?, val subtitle: String, val verified: Boolean, val warning: Message?)

fun venueCard(venue: VenueInfo): VenueCard =
    if (venue.verified) {
        VenueCard(
            title = venue.name,
            category = Message(categoryKey(venue.category)),
            subtitle = listOf(venue.address, venue.detail).filter { it.isNotBlank() }.joinToString(" — "),
            verified = true,
            warning = null,
        )
    } else {
        VenueCard(venue.name.take(80), null, "", false, Message(Str.venue_unverified_warning))
    }

class CheckInViewModel(private val service: CheckInService, private val clock: DemoClock = SystemClock) {
    var state: CheckInState = CheckInState.AskingPermission
        private set

    /** The last refusal from the library, in both languages; cleared by the next step. */
    var error: Bilingual? = null
        private set

    /** What a screen reader should announce now (TalkBack / VoiceOver); taken once. */
    private var pendingAnnouncement: Message? = null
    val gate = ScanGate()

    /** The source text of the code of the active visit: reading it again checks in nobody. */
    private var activeCode: String? = null

    /** A check-in is under way: further taps do nothing until it ends. */
    var busy = false
        private set

    fun takeAnnouncement(): Message? = pendingAnnouncement.also { pendingAnnouncement = null }

    /** On start: resume the active visit if there is one. */
    suspend fun start(cameraGranted: Boolean?) {
        val active = service.activeVisit()
        state = when {
            active != null -> CheckInState.Active(active)
            cameraGranted == null -> CheckInState.AskingPermission
            cameraGranted -> CheckInState.Scanning
            else -> CheckInState.PermissionDenied
        }
    }

    fun onPermissionResult(granted: Boolean) {
        if (state == CheckInState.AskingPermission || state == CheckInState.PermissionDenied) {
            state = if (granted) CheckInState.Scanning else CheckInState.PermissionDenied
        }
    }

    /** Whether the camera should run (bound to the screen) in the current state. */
    val cameraActive get() = state == CheckInState.Scanning

    /** A text decoded from a camera frame. Ignored unless scanning. */
    suspend fun onScanned(text: String) {
        if (state != CheckInState.Scanning || !gate.accept(text, clock.nowMillis())) return
        read { service.readScanned(text) }
    }

    fun openManualEntry() {
        if (state == CheckInState.Scanning || state == CheckInState.PermissionDenied) {
            error = null
            state = CheckInState.ManualEntry()
        }
    }

    fun typeManual(text: String) {
        if (state is CheckInState.ManualEntry) state = CheckInState.ManualEntry(text)
    }

    suspend fun submitManual() {
        val typed = (state as? CheckInState.ManualEntry)?.typed ?: return
        read { service.resolveManualCode(typed) }
    }

    private suspend fun read(call: suspend () -> ReadVenue) {
        try {
            val venue = call()
            error = null
            if (venue.info.sourceText == activeCode) {
                pendingAnnouncement = Message(Str.announce_same_venue, listOf(venue.info.name))
                return
            }
            pendingAnnouncement = Message(Str.announce_venue_read, listOf(venue.info.name))
            state = CheckInState.Confirming(venue)
        } catch (e: LibraryError) {
            error = e.text
        }
    }

    /** From the confirmation: go on to the declaration, or check in without one. */
    suspend fun confirm(withDeclaration: Boolean) {
        val venue = (state as? CheckInState.Confirming)?.venue ?: return
        if (withDeclaration) state = CheckInState.Declaring(venue) else checkIn(venue, null)
    }

    /** The declaration form's submit: core validates it again as part of the check-in. */
    suspend fun submitDeclaration(form: DeclarationFormViewModel) {
        val venue = (state as? CheckInState.Declaring)?.venue ?: return
        if (busy) return
        val input = form.submit() ?: return
        try {
            checkIn(venue, input)
        } catch (e: LibraryError) {
            form.show(e.fields)
        }
    }

    private suspend fun checkIn(venue: ReadVenue, declaration: DeclarationInput?) {
        if (busy) return
        busy = true
        try {
            val visit = service.checkIn(venue, declaration)
            activeCode = venue.info.sourceText
            error = null
            pendingAnnouncement = Message(Str.announce_checked_in, listOf(visit.venueName))
            state = CheckInState.Active(visit)
        } catch (e: LibraryError) {
            if (e.fields.isNotEmpty() && declaration != null) throw e
            error = e.text
        } finally {
            busy = false
        }
    }

    /** Back: from a venue, the form or manual entry (or scanning during a visit). */
    suspend fun cancel() {
        val s = state
        if (s is CheckInState.Confirming || s is CheckInState.Declaring || s is CheckInState.ManualEntry || s == CheckInState.Scanning) {
            error = null
            state = service.activeVisit()?.let { CheckInState.Active(it) } ?: CheckInState.Scanning
        }
    }

    /** From the active visit: scan the next venue (checking in there ends this visit). */
    fun scanNext() {
        if (state is CheckInState.Active) state = CheckInState.Scanning
    }

    suspend fun checkOut() {
        if (state !is CheckInState.Active) return
        try {
            val visit = service.checkOut()
            activeCode = null
            pendingAnnouncement = Message(Str.announce_checked_out, listOf(visit.venueName))
            state = CheckInState.Scanning
        } catch (e: LibraryError) {
            error = e.text
        }
    }

    /** The active visit's lines: since when, and when it ends by itself. */
    fun activeLines(visit: VisitInfo): List<Message> = listOf(
        Message(Str.checked_in_since, listOf(formatTime(visit.checkedInAt))),
        Message(Str.auto_checkout_at, listOf(formatTime(visit.autoCheckoutAt))),
    )

    /** Called when the clock passes the automatic check-out: the visit is over. */
    fun tick() {
        val active = state as? CheckInState.Active ?: return
        if (clock.nowSeconds() >= active.visit.autoCheckoutAt) {
            activeCode = null
            state = CheckInState.Scanning
        }
    }
}
