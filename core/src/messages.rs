//! What to tell a person about an [`Error`], in Vietnamese and English.
//!
//! The texts are fixed per error code: they never include field values, names or payload
//! bytes, so they are safe to show and to log. Apps show [`Error::message_vi`] by default.

use crate::Error;

impl Error {
    /// A short Vietnamese explanation for people.
    pub fn message_vi(&self) -> &'static str {
        match self {
            Error::NotVenueCode => "Đây không phải mã QR khai báo y tế của khaibao.",
            Error::Malformed(_) => "Mã QR bị hỏng hoặc không đọc được.",
            Error::UnknownKey => "Mã QR được ký bởi một khóa không được tin cậy.",
            Error::BadSignature => "Chữ ký của mã QR không hợp lệ: mã có thể là giả.",
            Error::NotYetValid => "Mã QR của địa điểm này chưa có hiệu lực.",
            Error::Expired => "Mã QR của địa điểm này đã hết hạn.",
            Error::UnsupportedVersion(_) => "Mã QR dùng phiên bản mới hơn; hãy cập nhật ứng dụng.",
            Error::InvalidField(_) => "Mã QR có thông tin không hợp lệ.",
            Error::FieldTooLong(_) => "Mã QR có thông tin dài quá mức cho phép.",
            Error::KeyNotValid => "Khóa ký của mã QR đã hết hạn hoặc chưa có hiệu lực.",
            Error::StaleUpdate => "Bản cập nhật cũ hơn dữ liệu đang có.",
            Error::ManualCodeInvalid => "Mã nhập tay sai: hãy kiểm tra lại các chữ số.",
            Error::ManualCodeUnknown => "Không tìm thấy địa điểm có mã nhập tay này.",
            Error::RegistryMissing => "Chưa tải danh sách địa điểm; hãy kết nối mạng rồi thử lại.",
            Error::InvalidFrame(_) => "Khung hình camera không hợp lệ.",
            Error::Image => "Không đọc được ảnh.",
            Error::Crypto(_) => "Lỗi mã hóa trên thiết bị.",
            Error::SealOpen => "Không mở được dữ liệu đã niêm phong.",
            Error::Storage(_) => "Lỗi lưu trữ trên thiết bị.",
            Error::Corrupt => "Dữ liệu trên thiết bị bị hỏng.",
            Error::Network(_) => "Lỗi mạng; ứng dụng sẽ thử lại.",
            Error::Server { .. } => "Máy chủ báo lỗi; ứng dụng sẽ thử lại.",
            Error::Protocol(_) => "Máy chủ trả lời không đúng định dạng.",
            Error::PassExpired => "Mã QR cá nhân đã hết hạn; hãy mở lại mã mới.",
            Error::PassReplayed => "Mã QR cá nhân này đã được quét rồi.",
            Error::DeviceUncertified => {
                "Thiết bị tạo mã QR cá nhân chưa được cơ quan y tế xác nhận."
            }
            Error::WrongMasterKey => "Khóa bảo vệ dữ liệu trên thiết bị không đúng.",
            Error::DayKeyMissing => "Dữ liệu của ngày này đã bị xóa theo thời hạn lưu giữ.",
            Error::InvalidState(_) => "Thao tác không hợp lệ lúc này.",
        }
    }

    /// A short English explanation for people.
    pub fn message_en(&self) -> &'static str {
        match self {
            Error::NotVenueCode => "This is not a khaibao health check-in QR code.",
            Error::Malformed(_) => "The QR code is damaged or cannot be read.",
            Error::UnknownKey => "The QR code is signed with a key that is not trusted.",
            Error::BadSignature => "The QR code's signature is invalid: it may be fake.",
            Error::NotYetValid => "This venue's QR code is not valid yet.",
            Error::Expired => "This venue's QR code has expired.",
            Error::UnsupportedVersion(_) => {
                "The QR code uses a newer version; please update the app."
            }
            Error::InvalidField(_) => "The QR code contains invalid information.",
            Error::FieldTooLong(_) => "The QR code contains information that is too long.",
            Error::KeyNotValid => "The QR code's signing key has expired or is not valid yet.",
            Error::StaleUpdate => "The update is older than the data already held.",
            Error::ManualCodeInvalid => "The typed code is wrong: please check the digits.",
            Error::ManualCodeUnknown => "No venue has this typed code.",
            Error::RegistryMissing => {
                "The venue list has not been downloaded yet; connect and try again."
            }
            Error::InvalidFrame(_) => "The camera frame is not valid.",
            Error::Image => "The image cannot be read.",
            Error::Crypto(_) => "A cryptographic error occurred on the device.",
            Error::SealOpen => "The sealed data cannot be opened.",
            Error::Storage(_) => "A storage error occurred on the device.",
            Error::Corrupt => "The data on the device is damaged.",
            Error::Network(_) => "Network error; the app will retry.",
            Error::Server { .. } => "The server reported an error; the app will retry.",
            Error::Protocol(_) => "The server's answer was not understood.",
            Error::PassExpired => "The personal pass has expired; show a fresh one.",
            Error::PassReplayed => "This personal pass was already scanned.",
            Error::DeviceUncertified => {
                "The pass comes from a device the health authority has not certified."
            }
            Error::WrongMasterKey => "The key protecting the data on this device is wrong.",
            Error::DayKeyMissing => {
                "That day's data was deleted at the end of its retention period."
            }
            Error::InvalidState(_) => "That action is not possible right now.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_venue_error_has_distinct_messages_and_codes() {
        let errors = [
            Error::NotVenueCode,
            Error::Malformed("x"),
            Error::UnknownKey,
            Error::BadSignature,
            Error::NotYetValid,
            Error::Expired,
            Error::UnsupportedVersion(9),
            Error::InvalidField("x"),
            Error::FieldTooLong("x"),
            Error::KeyNotValid,
            Error::StaleUpdate,
            Error::ManualCodeInvalid,
            Error::ManualCodeUnknown,
            Error::RegistryMissing,
        ];
        let mut seen = std::collections::HashSet::new();
        for e in &errors {
            assert!(seen.insert(e.code()), "code {} repeated", e.code());
            assert!(seen.insert(e.message_vi()));
            assert!(seen.insert(e.message_en()));
        }
    }
}
