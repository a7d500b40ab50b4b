// Maps core's scanned venues and diary visits to what the confirmation screen and the diary
// list show: labels in Vietnamese, times in Vietnam's time zone.

package vn.khaibao.demo

import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import vn.khaibao.VenueScan
import vn.khaibao.core.OutboxCounts
import vn.khaibao.core.VenueCategory
import vn.khaibao.core.Visit

val VIETNAM: ZoneId = ZoneId.of("Asia/Ho_Chi_Minh")
private val timeFormat = DateTimeFormatter.ofPattern("HH:mm dd/MM/yyyy").withZone(VIETNAM)

fun formatTime(unixSeconds: Long): String = timeFormat.format(Instant.ofEpochSecond(unixSeconds))

fun categoryLabel(category: VenueCategory): String = when (category) {
    VenueCategory.HOSPITAL -> "Cơ sở y tế"
    VenueCategory.SCHOOL -> "Trường học"
    VenueCategory.OFFICE -> "Cơ quan"
    VenueCategory.MARKET -> "Chợ, siêu thị"
    VenueCategory.LODGING -> "Cơ sở lưu trú"
    VenueCategory.RESTAURANT -> "Nhà hàng, quán ăn"
    VenueCategory.TRANSPORT -> "Phương tiện công cộng"
    VenueCategory.EVENT -> "Sự kiện"
    VenueCategory.OTHER -> "Địa điểm khác"
}

/** The venue confirmation card. */
data class VenueCard(val title: String, val subtitle: String, val verified: Boolean, val warning: String?)

fun venueCard(scanned: VenueScan): VenueCard = when (scanned) {
    is VenueScan.Verified -> {
        val v = scanned.venue
        val detail = listOfNotNull(v.vehiclePlate(), v.route()).joinToString(" · ")
        VenueCard(
            title = v.name(),
            subtitle = listOf(categoryLabel(v.category()), v.address(), detail).filter { it.isNotBlank() }.joinToString(" — "),
            verified = true,
            warning = null,
        )
    }
    is VenueScan.Unverified -> VenueCard(
        title = scanned.text.take(80),
        subtitle = "Mã QR không do cơ quan y tế cấp",
        verified = false,
        warning = "Không xác minh được địa điểm này. Vẫn ghi vào nhật ký trên máy.",
    )
}

/** One row of the diary list. */
data class DiaryRow(val id: Long, val venue: String, val verified: Boolean, val period: String)

fun diaryRows(visits: List<Visit>): List<DiaryRow> = visits.map { v ->
    val start = formatTime(v.checkedInAt)
    val period = v.checkedOutAt?.let { "$start → ${formatTime(it)}" } ?: "$start → đang ở đây"
    DiaryRow(v.id, v.venueName, v.verified, period)
}

/** The status line under the diary: what still waits for upload. */
fun outboxStatus(counts: OutboxCounts): String = when {
    counts.pending > 0uL -> "${counts.pending} tờ khai chờ gửi"
    counts.dead > 0uL -> "${counts.dead} tờ khai bị từ chối"
    else -> "Đã gửi tất cả"
}
