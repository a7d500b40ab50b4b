// Staff mode: the door scans visitors' personal passes. Each pass is verified on the phone
// against the authority's keys (no network: the door works offline), recorded as an entry
// or an exit, and the day's list, report and CSV come from the door log's own store.

package vn.khaibao.demo

sealed class DoorResult {
    data class Admitted(val admission: DoorAdmission) : DoorResult()
    data class Refused(val error: Bilingual) : DoorResult()
}

class DoorLogViewModel(private val log: DoorLog, private val clock: DemoClock = SystemClock) {
    val gate = ScanGate()
    var last: DoorResult? = null
        private set
    var today: List<DoorEntry> = emptyList()
        private set
    var report = DoorReport(0, 0, List(24) { 0 })
        private set
    private var pendingAnnouncement: Message? = null

    fun takeAnnouncement(): Message? = pendingAnnouncement.also { pendingAnnouncement = null }

    /** A text decoded from the camera (or typed): one pass once. */
    suspend fun onScanned(text: String) {
        if (!gate.accept(text, clock.nowMillis())) return
        last = try {
            val a = log.scan(text)
            pendingAnnouncement = admissionText(a)
            DoorResult.Admitted(a)
        } catch (e: LibraryError) {
            pendingAnnouncement = Message(Str.door_refused)
            DoorResult.Refused(e.text)
        }
        refresh()
    }

    suspend fun refresh() {
        report = log.report()
        today = parseDoorCsv(log.exportCsv())
    }

    /** The daily report file for the share sheet. */
    suspend fun export(): String = log.exportCsv()
}

/** Who vouches for an admitted pass's colour: the person (self-declared) or the authority. */
fun statusSource(admission: DoorAdmission): Str =
    if (admission.statusAttested) Str.door_status_attested else Str.door_status_self_declared

/** What the door screen shows and announces: entry or exit, the colour and who vouches for it. */
fun admissionText(a: DoorAdmission) = Message(
    if (a.direction == DoorDirection.ENTRY) Str.door_entry else Str.door_exit,
    listOf(statusKey(a.status), statusSource(a)),
)

/** The door log's CSV (`pseudonym,status,entered_at,exited_at`) as today's list. */
fun parseDoorCsv(csv: String): List<DoorEntry> = csv.lines().drop(1).filter { it.isNotBlank() }.mapNotNull { line ->
    val c = line.split(',')
    if (c.size < 4) return@mapNotNull null
    val status = PassStatus.entries.firstOrNull { it.name.equals(c[1].trim(), ignoreCase = true) } ?: return@mapNotNull null
    DoorEntry(c[0], status, c[2].trim(), c[3].trim().ifEmpty { null })
}
