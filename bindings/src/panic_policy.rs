//! The panic policy at the FFI boundary: every exported call runs under `catch_unwind`
//! (see [`quietly`]) and a caught panic becomes [`crate::KhaibaoError::Internal`]; and the
//! panic's message is never printed.
//!
//! Rust's default panic hook prints the panic message to stderr, and a message can carry
//! personal data: a dependency's `panic!` may format its input, and uniffi turns an
//! exception thrown by a host callback that has no error type (a [`crate::Clock`], a
//! [`crate::SyncListener`]) into a panic whose message is the exception's text. While a
//! thread is inside [`quietly`], the hook installed here prints one line naming the call and
//! the source location only. Panics elsewhere in the host process go to the hook that was
//! there before, untouched.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// The exported call this thread is running, if any.
    static CALL: Cell<Option<&'static str>> = const { Cell::new(None) };
}

static INSTALL: Once = Once::new();

fn install_hook() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| match CALL.with(Cell::get) {
            Some(call) => {
                let at = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                eprintln!("khaibao: internal error in {call}{at} (caught; message withheld)");
            }
            None => previous(info),
        }));
    });
}

/// Runs `f` with panics caught and their messages withheld: `Err(())` if it panicked.
pub(crate) fn quietly<T>(call: &'static str, f: impl FnOnce() -> T) -> Result<T, ()> {
    install_hook();
    let outer = CALL.with(|c| c.replace(Some(call)));
    let result = catch_unwind(AssertUnwindSafe(f)).map_err(|_| ());
    CALL.with(|c| c.set(outer));
    result
}
