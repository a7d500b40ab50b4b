//! Every error code: its stable string, its family and what to tell a person about it in
//! Vietnamese and English. Imports nothing from the rest of the crate.

/// Gives an area's error enum its `code()` from a list of `Variant => ErrorCode variant`;
/// each variant maps to one code whatever its fields.
macro_rules! area_codes {
    ($error:ident { $($variant:ident => $code:ident,)* }) => {
        impl $error {
            /// This error's stable code.
            pub fn code(&self) -> $crate::error::code::ErrorCode {
                match self {
                    $( Self::$variant { .. } => $crate::error::code::ErrorCode::$code, )*
                }
            }
        }
    };
}
pub(crate) use area_codes;

/// The family of an [`ErrorCode`]: the part of its string before the dot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ErrorFamily {
    /// `format.*`: a shared encoding is broken.
    Format,
    /// `venue.*`: venue codes, keysets and the venue registry.
    Venue,
    /// `scan.*`: camera frames and images.
    Scan,
    /// `seal.*`: signing, sealing and opening.
    Seal,
    /// `storage.*`: the local database.
    Storage,
    /// `network.*`: requests to the authority.
    Network,
    /// `pass.*`: personal passes.
    Pass,
    /// `diary.*`: the check-in diary.
    Diary,
    /// `declaration.*`: the health-declaration form.
    Declaration,
    /// `api.*`: the API used in the wrong order.
    Api,
    /// `config.*`: the bindings' configuration.
    Config,
    /// `keystore.*`: the platform key store behind the bindings.
    Keystore,
    /// `host.*`: a callback into the host app failed.
    Host,
    /// `internal.*`: a bug inside the library.
    Internal,
}

impl ErrorFamily {
    /// The family's name, the prefix of its codes' strings.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorFamily::Format => "format",
            ErrorFamily::Venue => "venue",
            ErrorFamily::Scan => "scan",
            ErrorFamily::Seal => "seal",
            ErrorFamily::Storage => "storage",
            ErrorFamily::Network => "network",
            ErrorFamily::Pass => "pass",
            ErrorFamily::Diary => "diary",
            ErrorFamily::Declaration => "declaration",
            ErrorFamily::Api => "api",
            ErrorFamily::Config => "config",
            ErrorFamily::Keystore => "keystore",
            ErrorFamily::Host => "host",
            ErrorFamily::Internal => "internal",
        }
    }
}

/// Declares [`ErrorCode`] and its tables from one list, so that no code can lack a string,
/// a family or a message, and [`ErrorCode::ALL`] cannot miss one.
macro_rules! error_codes {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $code:literal, $family:ident,
            vi: $vi:literal,
            en: $en:literal;
    )*) => {
        /// Every error the library reports, as a stable code.
        ///
        /// [`ErrorCode::as_str`] gives the code's string (`family.name`), which never changes
        /// once released; `docs/errors.md` lists them all with their messages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The stable string, `family.name` (for example `venue.unknown_key`).
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The family: the part of [`as_str`](Self::as_str) before the dot.
            pub fn family(self) -> ErrorFamily {
                match self { $(ErrorCode::$variant => ErrorFamily::$family,)* }
            }

            /// A short Vietnamese explanation for people, with no personal data.
            pub fn message_vi(self) -> &'static str {
                match self { $(ErrorCode::$variant => $vi,)* }
            }

            /// A short English explanation for people, with no personal data.
            pub fn message_en(self) -> &'static str {
                match self { $(ErrorCode::$variant => $en,)* }
            }
        }
    };
}

error_codes! {
    /// Bytes that should hold one of the library's encodings are broken or truncated.
    FormatMalformed = "format.malformed", Format,
        vi: "Dữ liệu bị hỏng hoặc không đọc được.",
        en: "The data is damaged or cannot be read.";
    /// The data uses a format version this library does not read.
    FormatUnsupportedVersion = "format.unsupported_version", Format,
        vi: "Dữ liệu dùng phiên bản mới hơn; hãy cập nhật ứng dụng.",
        en: "The data uses a newer version; please update the app.";
    /// A field is missing, has the wrong type or a value outside its range.
    FormatInvalidField = "format.invalid_field", Format,
        vi: "Dữ liệu có thông tin không hợp lệ.",
        en: "The data contains invalid information.";
    /// A field, or the whole item, is longer than the format allows.
    FormatTooLong = "format.too_long", Format,
        vi: "Dữ liệu có thông tin dài quá mức cho phép.",
        en: "The data contains information that is too long.";
    /// The text is not a khaibao venue code.
    VenueNotKhaibao = "venue.not_khaibao", Venue,
        vi: "Đây không phải mã QR khai báo y tế của khaibao.",
        en: "This is not a khaibao health check-in QR code.";
    /// The code is signed with a key id that no trusted key has.
    VenueUnknownKey = "venue.unknown_key", Venue,
        vi: "Mã QR được ký bởi một khóa không được tin cậy.",
        en: "The QR code is signed with a key that is not trusted.";
    /// A signature (venue code, keyset, registry, list, pass) does not verify.
    VenueSignatureInvalid = "venue.signature_invalid", Venue,
        vi: "Chữ ký của mã QR không hợp lệ: mã có thể là giả.",
        en: "The QR code's signature is invalid: it may be fake.";
    /// The code's validity starts in the future.
    VenueNotYetValid = "venue.not_yet_valid", Venue,
        vi: "Mã QR của địa điểm này chưa có hiệu lực.",
        en: "This venue's QR code is not valid yet.";
    /// The code's validity has ended.
    VenueExpired = "venue.expired", Venue,
        vi: "Mã QR của địa điểm này đã hết hạn.",
        en: "This venue's QR code has expired.";
    /// The signing key is known but outside its validity window.
    VenueKeyNotValid = "venue.key_not_valid", Venue,
        vi: "Khóa ký của mã QR đã hết hạn hoặc chưa có hiệu lực.",
        en: "The QR code's signing key has expired or is not valid yet.";
    /// A signed update (keyset, venue registry) is not newer than the one already held.
    VenueUpdateStale = "venue.update_stale", Venue,
        vi: "Bản cập nhật cũ hơn dữ liệu đang có.",
        en: "The update is older than the data already held.";
    /// A manual-entry venue code has the wrong length or check digit.
    VenueManualCodeInvalid = "venue.manual_code_invalid", Venue,
        vi: "Mã nhập tay sai: hãy kiểm tra lại các chữ số.",
        en: "The typed code is wrong: please check the digits.";
    /// A well-formed manual-entry venue code that the registry does not list.
    VenueManualCodeUnknown = "venue.manual_code_unknown", Venue,
        vi: "Không tìm thấy địa điểm có mã nhập tay này.",
        en: "No venue has this typed code.";
    /// No verified venue registry is held yet, so manual codes cannot be resolved.
    VenueRegistryMissing = "venue.registry_missing", Venue,
        vi: "Chưa tải danh sách địa điểm; hãy kết nối mạng rồi thử lại.",
        en: "The venue list has not been downloaded yet; connect and try again.";
    /// A camera frame's geometry does not match its buffer.
    ScanInvalidFrame = "scan.invalid_frame", Scan,
        vi: "Khung hình camera không hợp lệ.",
        en: "The camera frame is not valid.";
    /// An encoded image could not be decoded (or its format is not built in).
    ScanImageUndecodable = "scan.image_undecodable", Scan,
        vi: "Không đọc được ảnh.",
        en: "The image cannot be read.";
    /// A cryptographic operation failed (key generation, bad key bytes, no randomness).
    SealCryptoFailure = "seal.crypto_failure", Seal,
        vi: "Lỗi mã hóa trên thiết bị.",
        en: "A cryptographic error occurred on the device.";
    /// A sealed envelope could not be opened: wrong key, tampered or truncated.
    SealCannotOpen = "seal.cannot_open", Seal,
        vi: "Không mở được dữ liệu đã niêm phong.",
        en: "The sealed data cannot be opened.";
    /// The local database failed.
    StorageFailure = "storage.failure", Storage,
        vi: "Lỗi lưu trữ trên thiết bị.",
        en: "A storage error occurred on the device.";
    /// The local database file is not a database or is damaged.
    StorageCorrupt = "storage.corrupt", Storage,
        vi: "Dữ liệu trên thiết bị bị hỏng.",
        en: "The data on the device is damaged.";
    /// The master key supplied by the host does not open this database's keys.
    StorageWrongMasterKey = "storage.wrong_master_key", Storage,
        vi: "Khóa bảo vệ dữ liệu trên thiết bị không đúng.",
        en: "The key protecting the data on this device is wrong.";
    /// The data key of a local day is gone (purged or shredded); that day cannot be read.
    StorageDayKeyMissing = "storage.day_key_missing", Storage,
        vi: "Dữ liệu của ngày này đã bị xóa theo thời hạn lưu giữ.",
        en: "That day's data was deleted at the end of its retention period.";
    /// The network request failed before a response arrived (retryable).
    NetworkFailure = "network.failure", Network,
        vi: "Lỗi mạng; ứng dụng sẽ thử lại.",
        en: "Network error; the app will retry.";
    /// The server answered with an error status.
    NetworkServerError = "network.server_error", Network,
        vi: "Máy chủ báo lỗi; ứng dụng sẽ thử lại.",
        en: "The server reported an error; the app will retry.";
    /// The server's answer could not be understood.
    NetworkProtocol = "network.protocol", Network,
        vi: "Máy chủ trả lời không đúng định dạng.",
        en: "The server's answer was not understood.";
    /// A personal pass has expired (they live a few minutes).
    PassExpired = "pass.expired", Pass,
        vi: "Mã QR cá nhân đã hết hạn; hãy mở lại mã mới.",
        en: "The personal pass has expired; show a fresh one.";
    /// The same pass was already shown at this venue.
    PassReplayed = "pass.replayed", Pass,
        vi: "Mã QR cá nhân này đã được quét rồi.",
        en: "This personal pass was already scanned.";
    /// The signing device is not certified by a trusted authority key.
    PassDeviceUncertified = "pass.device_uncertified", Pass,
        vi: "Thiết bị tạo mã QR cá nhân chưa được cơ quan y tế xác nhận.",
        en: "The pass comes from a device the health authority has not certified.";
    /// An edit of a visit's times is refused (outside its day, or out of order).
    DiaryInvalidEdit = "diary.invalid_edit", Diary,
        vi: "Không sửa được giờ của lượt ghé này: giờ mới không hợp lệ.",
        en: "The visit's times cannot be changed that way: the new times are not valid.";
    /// The declaration has invalid fields (the bindings list every one).
    DeclarationInvalid = "declaration.invalid", Declaration,
        vi: "Tờ khai có thông tin chưa hợp lệ; hãy kiểm tra các mục được đánh dấu.",
        en: "The declaration has invalid entries; please check the marked fields.";
    /// The caller used the API wrongly (for example, checking out with nothing active).
    ApiInvalidState = "api.invalid_state", Api,
        vi: "Thao tác không hợp lệ lúc này.",
        en: "That action is not possible right now.";
    /// The configured authority sealing key is not 32 bytes.
    ConfigSealingKey = "config.sealing_key", Config,
        vi: "Cấu hình ứng dụng sai: khóa niêm phong của cơ quan y tế không hợp lệ.",
        en: "The app is misconfigured: the authority's sealing key is not valid.";
    /// The configured root public key is missing or not 32 bytes.
    ConfigRootKey = "config.root_key", Config,
        vi: "Cấu hình ứng dụng sai: thiếu khóa gốc hoặc khóa gốc không hợp lệ.",
        en: "The app is misconfigured: the root key is missing or not valid.";
    /// The configured database path is empty.
    ConfigDbPath = "config.db_path", Config,
        vi: "Cấu hình ứng dụng sai: chưa có đường dẫn cơ sở dữ liệu.",
        en: "The app is misconfigured: the database path is empty.";
    /// The platform key store no longer has the key.
    KeystoreUnavailable = "keystore.unavailable", Keystore,
        vi: "Khóa bảo mật của thiết bị không còn dùng được.",
        en: "The device's security key is no longer available.";
    /// The platform key store failed.
    KeystoreFailed = "keystore.failed", Keystore,
        vi: "Kho khóa bảo mật của thiết bị bị lỗi.",
        en: "The device's key store failed.";
    /// The platform key store returned the secret in the clear.
    KeystoreNotWrapping = "keystore.not_wrapping", Keystore,
        vi: "Kho khóa của thiết bị không bảo vệ khóa dữ liệu.",
        en: "The device's key store does not protect the data key.";
    /// The platform key store did not give back the secret it wrapped.
    KeystoreMismatch = "keystore.mismatch", Keystore,
        vi: "Kho khóa của thiết bị trả lại sai khóa.",
        en: "The device's key store gave back the wrong key.";
    /// A callback into the host app (HTTP client, key store, listener) failed unexpectedly.
    HostCallbackFailed = "host.callback_failed", Host,
        vi: "Ứng dụng gặp lỗi khi xử lý yêu cầu; hãy thử lại.",
        en: "The app failed while handling a request; please try again.";
    /// A bug inside the library (a caught panic); the call had no effect that matters.
    InternalPanic = "internal.panic", Internal,
        vi: "Lỗi nội bộ của thư viện; hãy thử lại.",
        en: "An internal error occurred in the library; please try again.";
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorCode {
    /// The Markdown table of every code, its family and both messages (`docs/errors.md`).
    pub fn table_markdown() -> String {
        let mut out = String::from("| Code | Family | Tiếng Việt | English |\n|---|---|---|---|\n");
        for c in Self::ALL {
            for cell in [c.as_str(), c.family().as_str()] {
                out.push_str("| `");
                out.push_str(cell);
                out.push_str("` ");
            }
            for cell in [c.message_vi(), c.message_en()] {
                out.push_str("| ");
                out.push_str(cell);
                out.push(' ');
            }
            out.push_str("|\n");
        }
        out
    }
}
