//! Support for khaibao's end-to-end tests (in `tests/e2e/`) and fault-injection runs: a
//! faulty HTTP proxy and the exactly-once scenario built on it, and the fixed keys and seed
//! inputs of the fuzz targets.

pub mod chaos;
pub mod declarations;
pub mod fault_proxy;
pub mod fuzz_fixture;
