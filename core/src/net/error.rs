//! Errors of requests to the authority.

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

crate::error::code::area_codes!(NetError {
    Network => NetworkFailure,
    Server => NetworkServerError,
    Protocol => NetworkProtocol,
});
