// The one file that knows the khaibao binding: it maps the demo's ports (Ports.kt) to the
// generated Kotlin API (package vn.khaibao; core's enums and plain records in vn.khaibao.core).
// When the library's API changes, this file changes and the view models do not.

package vn.khaibao.demo

import java.time.Instant
import vn.khaibao.HostHttpClient
import vn.khaibao.KhaibaoException
import vn.khaibao.KhaibaoLibrary
import vn.khaibao.UploadOptions
import vn.khaibao.VenueScan
import vn.khaibao.VenueStaff
import vn.khaibao.CalendarDate
import vn.khaibao.Declaration
import vn.khaibao.Region
import vn.khaibao.Travel
import vn.khaibao.VaccineDose
import vn.khaibao.Visit
import vn.khaibao.core.ErrorCode
import vn.khaibao.core.FieldError
import vn.khaibao.core.HealthStatus
import vn.khaibao.core.IdDocument
import vn.khaibao.core.ScannedCode
import vn.khaibao.errorCodeString
import vn.khaibao.scanFrame
import vn.khaibao.validateDeclaration
import vn.khaibao.core.Direction as CoreDirection
import vn.khaibao.core.Language as CoreLanguage
import vn.khaibao.core.Sex as CoreSex
import vn.khaibao.core.Symptom as CoreSymptom
import vn.khaibao.core.TravelMode as CoreTravelMode

private fun problem(e: FieldError) = FieldProblem(e.field, e.code, Bilingual(e.messageVi, e.messageEn))
private fun error(code: ErrorCode, vi: String, en: String) = LibraryError(errorCodeString(code), Bilingual(vi, en))

/** The library's typed error as the demo's LibraryError (code, vi/en message, fields). */
fun KhaibaoException.toLibraryError(): LibraryError = when (this) {
    is KhaibaoException.Validation -> LibraryError("declaration.invalid", Bilingual(messageVi, messageEn), fields.map(::problem))
    is KhaibaoException.Format -> error(code, messageVi, messageEn)
    is KhaibaoException.Venue -> error(code, messageVi, messageEn)
    is KhaibaoException.Scan -> error(code, messageVi, messageEn)
    is KhaibaoException.Seal -> error(code, messageVi, messageEn)
    is KhaibaoException.Storage -> error(code, messageVi, messageEn)
    is KhaibaoException.Network -> error(code, messageVi, messageEn)
    is KhaibaoException.Pass -> error(code, messageVi, messageEn)
    is KhaibaoException.Diary -> error(code, messageVi, messageEn)
    is KhaibaoException.Api -> error(code, messageVi, messageEn)
    is KhaibaoException.Config -> error(code, messageVi, messageEn)
    is KhaibaoException.Keystore -> error(code, messageVi, messageEn)
    is KhaibaoException.Host -> error(code, messageVi, messageEn)
    is KhaibaoException.Internal -> error(code, messageVi, messageEn)
}

private inline fun <T> lib(call: () -> T): T = try {
    call()
} catch (e: KhaibaoException) {
    throw e.toLibraryError()
}

private fun date(d: Day) = CalendarDate(d.year, d.month, d.day)

/** The demo's declaration as core's record, field by field. */
fun DeclarationInput.toCore() = Declaration(
    fullName = fullName,
    birthYear = birthYear,
    dateOfBirth = dateOfBirth?.let(::date),
    sex = sex?.let { CoreSex.valueOf(it.name) },
    nationality = nationality,
    idDocument = idKind?.let {
        when (it) {
            IdKind.CCCD -> IdDocument.Cccd(idNumber)
            IdKind.CMND -> IdDocument.Cmnd(idNumber)
            IdKind.PASSPORT -> IdDocument.Passport(idNumber)
        }
    },
    phone = phone,
    email = email,
    province = province,
    district = district,
    ward = ward,
    street = street,
    healthInsurance = healthInsurance,
    travel = travel.map {
        Travel(CoreTravelMode.valueOf(it.mode.name), it.vehicleNumber, it.seat, date(it.departure), date(it.arrival), it.places)
    },
    symptoms = Symptom.entries.filter { it in symptoms }.map { CoreSymptom.valueOf(it.name) },
    closeContact = closeContact,
    visitedPlaceWithCases = visitedPlaceWithCases,
    visitedAnimalMarket = visitedAnimalMarket,
    vaccination = vaccination.map { VaccineDose(date(it.date), it.vaccine) },
    recoveredOn = recoveredOn?.let(::date),
    negativeTestOn = negativeTestOn?.let(::date),
    onBehalf = onBehalf,
)

fun Visit.toInfo() = VisitInfo(
    id, venueName, address, verified, checkedInAt.epochSecond, checkedOutAt?.epochSecond, autoCheckoutAt.epochSecond, edited,
)

/** A venue the library read: keeps the library's VenueScan for the check-in. */
class LibraryVenue(val scanned: VenueScan, sourceText: String) : ReadVenue {
    override val info: VenueInfo = when (scanned) {
        is VenueScan.Verified -> with(scanned.venue) {
            VenueInfo(
                name(), address(), category().name.lowercase(), true,
                listOfNotNull(vehiclePlate(), route()).joinToString(" · "), sourceText,
            )
        }
        is VenueScan.Unverified -> VenueInfo(scanned.text, "", null, false, "", sourceText)
    }
}

object CoreValidator : DeclarationValidator {
    override fun validate(form: DeclarationInput) = validateDeclaration(form.toCore()).map(::problem)
}

object CoreFrameDecoder : FrameDecoder {
    override fun decode(plane: LumaPlane, roi: Roi?): String? = try {
        val region = roi?.let { Region(it.x, it.y, it.width, it.height) }
        scanFrame(plane.bytes, plane.width, plane.height, plane.rowStride, region)
            .firstNotNullOfOrNull(ScannedCode::text)
    } catch (e: KhaibaoException.Scan) {
        null
    }
}

/**
 * The citizen's ports over one library handle. `client` is the host's HTTP client for
 * uploads and syncs (null: the library's own); trust sync runs only with a root key.
 */
class LibraryPorts(
    private val app: KhaibaoLibrary,
    private val client: HostHttpClient?,
    private val trustConfigured: Boolean,
) : CheckInService, VisitDiary, PassService, BackgroundSync {
    override suspend fun readScanned(text: String): ReadVenue = lib { LibraryVenue(app.trust().readVenue(text), text) }
    override suspend fun resolveManualCode(typed: String): ReadVenue =
        lib { LibraryVenue(VenueScan.Verified(app.trust().resolveManualCode(typed)), typed.filter(Char::isLetterOrDigit)) }
    override suspend fun checkIn(venue: ReadVenue, declaration: DeclarationInput?) =
        lib { app.diary().checkIn((venue as LibraryVenue).scanned, declaration?.toCore()).toInfo() }
    override suspend fun checkOut() = lib { app.diary().checkOut().toInfo() }
    override suspend fun activeVisit() = lib { app.diary().activeVisit()?.toInfo() }

    override suspend fun visits() = lib { app.diary().visits().map { it.toInfo() } }
    override suspend fun edit(visitId: Long, checkedInAt: Long, checkedOutAt: Long) =
        lib { app.diary().editVisit(visitId, Instant.ofEpochSecond(checkedInAt), Instant.ofEpochSecond(checkedOutAt)).toInfo() }
    override suspend fun delete(visitId: Long) = lib { app.diary().deleteVisit(visitId) }
    override suspend fun exportCsv(language: Language) =
        lib { app.diary().exportCsv(if (language == Language.VI) CoreLanguage.VIETNAMESE else CoreLanguage.ENGLISH).visits }
    override suspend fun pendingUploads() = lib { app.uploads().counts().pending }

    override suspend fun register() = lib { app.passes().registerDevice(client) }
    override suspend fun makePass(declaration: DeclarationInput, certificate: ByteArray, showName: Boolean) =
        lib { app.passes().makePass(declaration.toCore(), certificate, showName) }
    override val validSeconds = 5L * 60

    override suspend fun upload(): Long = lib { app.uploads().upload(UploadOptions(client = client)).remaining }
    override suspend fun syncExposures() = lib {
        app.exposures().sync(client, null, null).alerts.map {
            ExposureMatch(it.visitId, it.venueName, it.visitStart.epochSecond, it.visitEnd.epochSecond, it.recommendation.name.lowercase())
        }
    }
    override suspend fun syncTrust() {
        if (trustConfigured) lib { app.trust().sync(client) }
    }
}

/**
 * The staff app's door log over the library's VenueStaff (offline pass verification),
 * opened (a suspend call) on first use.
 */
class LibraryDoorLog(private val open: suspend () -> VenueStaff) : DoorLog {
    constructor(staff: VenueStaff) : this({ staff })

    private var opened: VenueStaff? = null
    private suspend fun staff() = opened ?: open().also { opened = it }

    override suspend fun scan(text: String) = lib {
        val a = staff().scan(text)
        DoorAdmission(
            if (a.direction == CoreDirection.ENTRY) DoorDirection.ENTRY else DoorDirection.EXIT,
            status(a.check.status), a.check.name, a.at.epochSecond, a.check.pseudonym, a.check.statusAttested,
        )
    }
    override suspend fun report() = lib {
        staff().report().let { r -> DoorReport(r.visitors, r.stillInside, r.entriesPerHour) }
    }
    override suspend fun exportCsv() = lib { staff().exportCsv() }

    private fun status(s: HealthStatus) = when (s) {
        HealthStatus.GREEN -> PassStatus.GREEN
        HealthStatus.YELLOW -> PassStatus.YELLOW
        HealthStatus.RED -> PassStatus.RED
    }
}
