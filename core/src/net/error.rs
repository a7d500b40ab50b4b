//! Errors of requests to the authority.

use crate::error::ErrorCode;

/// A request that failed, or an answer that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
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
}

impl NetError {
    /// This error's stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Network(_) => ErrorCode::NetworkFailure,
            Self::Server { .. } => ErrorCode::NetworkServerError,
            Self::Protocol(_) => ErrorCode::NetworkProtocol,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_code() {
        for (e, code) in [
            (NetError::Network("x".into()), ErrorCode::NetworkFailure),
            (
                NetError::Server { status: 503 },
                ErrorCode::NetworkServerError,
            ),
            (NetError::Protocol("x"), ErrorCode::NetworkProtocol),
        ] {
            assert_eq!(e.code(), code, "{e}");
            assert_eq!(crate::Error::from(e).code(), code);
        }
    }
}
