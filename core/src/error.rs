//! The core's internal error type.
//!
//! Every variant maps to a stable machine-readable code (see [`Error::code`]) that the
//! bindings export unchanged. Messages never carry personal data: no names, numbers, venue
//! names or payload bytes, only what kind of thing went wrong.

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong inside the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not a khaibao venue code.
    #[error("not a khaibao venue code")]
    NotVenueCode,
    /// The code has the khaibao prefix, but its CBOR/COSE structure is broken.
    #[error("malformed code: {0}")]
    Malformed(&'static str),
    /// The code is signed with a key id that no trusted key has.
    #[error("unknown signing key")]
    UnknownKey,
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The code's validity starts in the future.
    #[error("not valid yet")]
    NotYetValid,
    /// The code's validity has ended.
    #[error("expired")]
    Expired,
    /// The code uses a format version this library does not read.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u64),
    /// A field is missing, has the wrong type or a value outside its range.
    #[error("invalid field: {0}")]
    InvalidField(&'static str),
    /// A field, or the whole code, is longer than the format allows.
    #[error("too long: {0}")]
    FieldTooLong(&'static str),
    /// The signing key is known but outside its validity window (rotated out or not yet in).
    #[error("signing key not valid at this time")]
    KeyNotValid,
    /// A signed update (keyset, venue registry) is not newer than the one already held.
    #[error("signed update is older than the current one")]
    StaleUpdate,
    /// A manual-entry venue code has the wrong length or check digit.
    #[error("manual venue code is mistyped")]
    ManualCodeInvalid,
    /// A well-formed manual-entry venue code that the registry does not list.
    #[error("manual venue code is not in the registry")]
    ManualCodeUnknown,
    /// No verified venue registry is held yet, so manual codes cannot be resolved.
    #[error("no venue registry downloaded yet")]
    RegistryMissing,
    /// A camera frame's geometry does not match its buffer.
    #[error("invalid frame: {0}")]
    InvalidFrame(&'static str),
    /// An encoded image could not be decoded (or its format is not built in).
    #[error("image could not be decoded")]
    Image,
    /// A cryptographic operation failed (key generation, bad key bytes).
    #[error("cryptographic failure: {0}")]
    Crypto(&'static str),
    /// A sealed envelope could not be opened: wrong key, tampered or truncated.
    #[error("sealed envelope could not be opened")]
    SealOpen,
    /// The local database failed.
    #[error("storage failure: {0}")]
    Storage(String),
    /// The local database file is not a database or is damaged.
    #[error("the database file is corrupt")]
    Corrupt,
    /// The network request failed before a response arrived (retryable).
    #[error("network failure: {0}")]
    Network(String),
    /// The server answered with an error status.
    #[error("server answered with status {status}")]
    Server {
        /// HTTP status code.
        status: u16,
    },
    /// The server's answer could not be understood.
    #[error("unexpected server response: {0}")]
    Protocol(&'static str),
    /// A personal pass has expired (they live a few minutes).
    #[error("pass expired")]
    PassExpired,
    /// The same pass was already shown at this venue.
    #[error("pass already used")]
    PassReplayed,
    /// The signing device is not certified by a trusted authority key.
    #[error("device not certified")]
    DeviceUncertified,
    /// The master key supplied by the host does not open this database's keys.
    #[error("the master key does not open this database")]
    WrongMasterKey,
    /// The data key of a local day is gone (purged or shredded); that day cannot be read.
    #[error("the day's data key is gone")]
    DayKeyMissing,
    /// The caller used the API wrongly (for example, checking out with nothing active).
    #[error("invalid state: {0}")]
    InvalidState(&'static str),
}

impl Error {
    /// A stable code for this kind of error, for programs and for support.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotVenueCode => "venue.not_khaibao",
            Error::Malformed(_) => "code.malformed",
            Error::UnknownKey => "venue.unknown_key",
            Error::BadSignature => "signature.invalid",
            Error::NotYetValid => "venue.not_yet_valid",
            Error::Expired => "venue.expired",
            Error::UnsupportedVersion(_) => "code.unsupported_version",
            Error::InvalidField(_) => "field.invalid",
            Error::FieldTooLong(_) => "field.too_long",
            Error::KeyNotValid => "venue.key_not_valid",
            Error::StaleUpdate => "update.stale",
            Error::ManualCodeInvalid => "venue.manual_code_invalid",
            Error::ManualCodeUnknown => "venue.manual_code_unknown",
            Error::RegistryMissing => "venue.registry_missing",
            Error::InvalidFrame(_) => "scan.invalid_frame",
            Error::Image => "scan.image_undecodable",
            Error::Crypto(_) => "crypto.failure",
            Error::SealOpen => "seal.cannot_open",
            Error::Storage(_) => "storage.failure",
            Error::Corrupt => "storage.corrupt",
            Error::Network(_) => "network.failure",
            Error::Server { .. } => "network.server_error",
            Error::Protocol(_) => "network.protocol",
            Error::PassExpired => "pass.expired",
            Error::PassReplayed => "pass.replayed",
            Error::DeviceUncertified => "pass.device_uncertified",
            Error::InvalidState(_) => "api.invalid_state",
            Error::WrongMasterKey => "storage.wrong_master_key",
            Error::DayKeyMissing => "storage.day_key_missing",
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                Error::Corrupt
            }
            // SQLite's own messages name tables and constraints, never row values.
            _ => Error::Storage(e.to_string()),
        }
    }
}

// What to tell a person about an error, in Vietnamese and English. The texts are fixed per
// error code: they never include field values, names or payload bytes, so they are safe to
// show and to log. Apps show `message_vi` by default.

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
