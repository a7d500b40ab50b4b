//! Calling the host's listeners (upload progress, diary changes, exposure alerts).
//!
//! Listener callbacks are notifications: whatever a host listener does (including
//! throwing), the library carries on. A listener that throws is skipped for that event.

/// Calls a listener, ignoring a panic (a throwing foreign listener surfaces as one).
pub(crate) fn notify(what: &'static str, f: impl FnOnce()) {
    let _ = crate::panic_policy::quietly(what, f);
}
