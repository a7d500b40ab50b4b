// The demo's ports: what its screens need from the khaibao library, in the demo's own plain
// types. The view models in this module depend only on these interfaces, so they compile and
// run without the library (tests drive them with fakes) and follow an API change of the
// library through one file, LibraryAdapter.kt, which maps each port to the generated binding.

package vn.khaibao.demo

/** A message the library wrote in both languages (core's error and field messages). */
data class Bilingual(val vi: String, val en: String) {
    fun text(language: Language) = if (language == Language.VI) vi else en
}

/** One field that failed core's validation; `field` is core's path (`travel[0].arrival`). */
data class FieldProblem(val field: String, val code: String, val message: Bilingual)

/** A refusal from the library: its stable code, its message, and any field errors. */
class LibraryError(val code: String, val text: Bilingual, val fields: List<FieldProblem> = emptyList()) :
    Exception(code)

/** A venue the library read from a scanned text or a typed manual code. */
interface ReadVenue {
    val info: VenueInfo
}

data class VenueInfo(
    val name: String,
    val address: String,
    /** Core's category name (`school`, `hospital`…); the screen shows a translated label. */
    val category: String?,
    val verified: Boolean,
    /** Vehicle plate and route for public transport, empty otherwise. */
    val detail: String,
    /** The text that was scanned or typed, so one code is checked in once. */
    val sourceText: String,
)

data class VisitInfo(
    val id: Long,
    val venueName: String,
    val address: String,
    val verified: Boolean,
    val checkedInAt: Long,
    val checkedOutAt: Long?,
    val autoCheckoutAt: Long,
    val edited: Boolean,
)

/** Core's declaration validation (`validate_declaration`). */
fun interface DeclarationValidator {
    fun validate(form: DeclarationInput): List<FieldProblem>
}

/**
 * Reading codes and checking in and out (the citizen's main flow). Calls that touch disk,
 * crypto or the network are `suspend`, so the library can do them off the caller's thread.
 */
interface CheckInService {
    suspend fun readScanned(text: String): ReadVenue
    suspend fun resolveManualCode(typed: String): ReadVenue
    suspend fun checkIn(venue: ReadVenue, declaration: DeclarationInput?): VisitInfo
    suspend fun checkOut(): VisitInfo
    suspend fun activeVisit(): VisitInfo?
}

/** The citizen's diary of visits. */
interface VisitDiary {
    suspend fun visits(): List<VisitInfo>
    suspend fun edit(visitId: Long, checkedInAt: Long, checkedOutAt: Long): VisitInfo
    /** Deletes a visit with its edits and the citizen's copy of its declaration. */
    suspend fun delete(visitId: Long)
    suspend fun exportCsv(language: Language): String
    suspend fun pendingUploads(): Long
}

/** The personal pass: a QR text the door's staff app verifies offline. */
interface PassService {
    /** Registers the device with the authority once; returns its certificate. */
    suspend fun register(): ByteArray
    suspend fun makePass(declaration: DeclarationInput, certificate: ByteArray, showName: Boolean): String
    /** How long a pass stays valid, in seconds. */
    val validSeconds: Long
}

enum class PassStatus { GREEN, YELLOW, RED }
enum class DoorDirection { ENTRY, EXIT }

/**
 * A pass admitted at the door. `status` is the colour the person's own app derived from their
 * own answers, unless `statusAttested`: then the authority vouches for it (core's
 * PassCheck.status_attested). The staff screen says which.
 */
data class DoorAdmission(
    val direction: DoorDirection,
    val status: PassStatus,
    val name: String?,
    val at: Long,
    val pseudonym: String,
    val statusAttested: Boolean = false,
)
/** One passage of the day; times as the log writes them (Vietnam local time). */
data class DoorEntry(val pseudonym: String, val status: PassStatus, val enteredAt: String, val exitedAt: String?)
data class DoorReport(val visitors: Int, val stillInside: Int, val entriesPerHour: List<Int>)

/** The staff app's door log: passes verified offline against the authority's keys. */
interface DoorLog {
    suspend fun scan(text: String): DoorAdmission
    suspend fun report(): DoorReport
    /** The day's log as CSV: `pseudonym,status,entered_at,exited_at`. */
    suspend fun exportCsv(): String
}

/** An exposure alert: one visit of the diary overlapped a published case. */
data class ExposureMatch(val visitId: Long, val venueName: String, val visitStart: Long, val visitEnd: Long, val recommendation: String)

/** Network work run in the background. */
interface BackgroundSync {
    /** Uploads queued declarations; returns how many are still queued. */
    suspend fun upload(): Long
    /** Fetches new exposure lists and returns the alerts they raised. */
    suspend fun syncExposures(): List<ExposureMatch>
    /** Refreshes the trusted venue keys and the manual-code registry. */
    suspend fun syncTrust()
}

/** Decodes text from a luma plane (core's scanner). */
fun interface FrameDecoder {
    fun decode(plane: LumaPlane, roi: Roi?): String?
}

/** The app's small settings store (SharedPreferences, UserDefaults). */
interface Settings {
    fun get(key: String): String?
    fun put(key: String, value: String)
}

/** The time, in Unix seconds and milliseconds (so tests can move it). */
interface DemoClock {
    fun nowMillis(): Long
    fun nowSeconds(): Long = nowMillis() / 1000
}

object SystemClock : DemoClock {
    override fun nowMillis() = System.currentTimeMillis()
}
