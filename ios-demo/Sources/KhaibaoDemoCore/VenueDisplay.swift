// Maps core's scanned venues, visits and outbox counts to what the confirmation card, the
// diary list and its status line show; times in Vietnam's time zone.

import Foundation
#if !KHAIBAO_ONE_MODULE  // the test script compiles everything into one module
import Khaibao
#endif

public func categoryLabel(_ category: VenueCategory) -> String {
    switch category {
    case .hospital: return "Cơ sở y tế"
    case .school: return "Trường học"
    case .office: return "Cơ quan"
    case .market: return "Chợ, siêu thị"
    case .lodging: return "Cơ sở lưu trú"
    case .restaurant: return "Nhà hàng, quán ăn"
    case .transport: return "Phương tiện công cộng"
    case .event: return "Sự kiện"
    case .other: return "Địa điểm khác"
    }
}

public struct VenueCard: Equatable {
    public let title: String
    public let subtitle: String
    public let verified: Bool
    public let warning: String?
}

public func venueCard(_ scanned: VenueScan) -> VenueCard {
    switch scanned {
    case .verified(let v):
        let detail = [v.vehiclePlate(), v.route()].compactMap { $0 }.joined(separator: " · ")
        let subtitle = [categoryLabel(v.category()), v.address(), detail].filter { !$0.isEmpty }
            .joined(separator: " — ")
        return VenueCard(title: v.name(), subtitle: subtitle, verified: true, warning: nil)
    case .unverified(let text):
        return VenueCard(title: String(text.prefix(80)), subtitle: "Mã QR không do cơ quan y tế cấp",
                         verified: false,
                         warning: "Không xác minh được địa điểm này. Vẫn ghi vào nhật ký trên máy.")
    }
}

private let timeFormat: DateFormatter = {
    let f = DateFormatter()
    f.dateFormat = "HH:mm dd/MM/yyyy"
    f.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
    f.locale = Locale(identifier: "vi_VN")
    return f
}()

public func formatTime(_ unixSeconds: Int64) -> String {
    timeFormat.string(from: Date(timeIntervalSince1970: TimeInterval(unixSeconds)))
}

public struct DiaryRow: Equatable {
    public let id: Int64
    public let venue: String
    public let verified: Bool
    public let period: String
}

public func diaryRows(_ visits: [Visit]) -> [DiaryRow] {
    visits.map { v in
        let end = v.checkedOutAt.map(formatTime) ?? "đang ở đây"
        return DiaryRow(id: v.id, venue: v.venueName, verified: v.verified,
                        period: "\(formatTime(v.checkedInAt)) → \(end)")
    }
}

public func outboxStatus(_ counts: OutboxCounts) -> String {
    if counts.pending > 0 { return "\(counts.pending) tờ khai chờ gửi" }
    if counts.dead > 0 { return "\(counts.dead) tờ khai bị từ chối" }
    return "Đã gửi tất cả"
}
