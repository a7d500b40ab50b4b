//! Support for khaibao's end-to-end tests (in `tests/e2e/`) and fault-injection runs: a
//! faulty HTTP proxy and the exactly-once scenario built on it.

pub mod chaos;
pub mod fault_proxy;
