//! The wire format between the outbox and the authority's batch ingest endpoint.
//!
//! Request body (`application/cbor`): an array of items `{1: idempotency key (16 bytes),
//! 2: kind, 3: sealed body}`. Response: an array with one result per item, in any order,
//! `{1: idempotency key, 2: status (1 accepted, 2 duplicate, 3 rejected), 3: receipt id,
//! 4: reason}`. A duplicate carries the receipt of the original delivery.

use crate::encoding::codec::{MapBuilder, MapReader, from_cbor, to_cbor};
use crate::error::{FormatError, NetError};
use crate::{Error, Result};
use ciborium::Value;

/// Path of the batch ingest endpoint.
pub const INGEST_PATH: &str = "/v1/ingest";
/// Path of the health endpoint.
pub const HEALTH_PATH: &str = "/v1/health";
/// Content type of request and response bodies.
pub const CONTENT_TYPE: &str = crate::net::transport::CBOR_CONTENT_TYPE;
/// Most items in one ingest request.
pub const MAX_BATCH: usize = 500;
/// Largest ingest answer the phone reads (256 KiB): one result per item of a full batch,
/// each a 16-byte key and a receipt or a reason of at most 200 bytes, fits in half of it.
pub const MAX_RESPONSE_BYTES: usize = 256 << 10;
/// Largest sealed body of one item.
pub const MAX_ITEM_BODY: usize = 64 * 1024;
/// Idempotency keys are this long.
pub const IDEMPOTENCY_KEY_LEN: usize = 16;

/// What an outbox item carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ItemKind {
    /// A sealed, signed health declaration.
    Declaration,
    /// A venue door-log passage with the visitor's personal data sealed to the authority
    /// (`pass::stafflog::PassageUpload`).
    StaffPassage,
}

impl ItemKind {
    /// Wire number.
    pub fn to_wire(self) -> u64 {
        match self {
            Self::Declaration => 1,
            Self::StaffPassage => 2,
        }
    }
    /// From the wire number.
    pub fn from_wire(v: u64) -> Result<Self> {
        match v {
            1 => Ok(Self::Declaration),
            2 => Ok(Self::StaffPassage),
            _ => Err(Error::Format(FormatError::InvalidField("item kind"))),
        }
    }
}

/// One item of an ingest request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestItem {
    pub idempotency_key: Vec<u8>,
    pub kind: ItemKind,
    pub body: Vec<u8>,
}

/// The authority's answer for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemStatus {
    Accepted { receipt: String },
    Duplicate { receipt: String },
    Rejected { reason: String },
}

/// One result of an ingest response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestResult {
    pub idempotency_key: Vec<u8>,
    pub status: ItemStatus,
}

/// Encodes an ingest request.
pub fn encode_request(items: &[IngestItem]) -> Result<Vec<u8>> {
    let arr = items
        .iter()
        .map(|i| {
            MapBuilder::new()
                .put(1, Value::Bytes(i.idempotency_key.clone()))
                .put(2, i.kind.to_wire())
                .put(3, Value::Bytes(i.body.clone()))
                .build()
        })
        .collect();
    to_cbor(&Value::Array(arr))
}

/// Decodes an ingest request, enforcing the batch and item limits.
pub fn decode_request(bytes: &[u8]) -> Result<Vec<IngestItem>> {
    let Value::Array(arr) = from_cbor(bytes)? else {
        return Err(FormatError::Malformed("ingest request").into());
    };
    if arr.len() > MAX_BATCH {
        return Err(FormatError::InvalidField("batch size").into());
    }
    arr.into_iter()
        .map(|v| {
            let mut r = MapReader::new(v, "ingest item")?;
            let idempotency_key = r.bytes(1, "idempotency key", IDEMPOTENCY_KEY_LEN)?;
            if idempotency_key.len() != IDEMPOTENCY_KEY_LEN {
                return Err(FormatError::InvalidField("idempotency key").into());
            }
            Ok(IngestItem {
                idempotency_key,
                kind: ItemKind::from_wire(r.u64(2, "item kind")?)?,
                body: r.bytes(3, "body", MAX_ITEM_BODY)?,
            })
        })
        .collect()
}

/// Encodes an ingest response.
pub fn encode_response(results: &[IngestResult]) -> Result<Vec<u8>> {
    let arr = results
        .iter()
        .map(|r| {
            let m = MapBuilder::new().put(1, Value::Bytes(r.idempotency_key.clone()));
            match &r.status {
                ItemStatus::Accepted { receipt } => m.put(2, 1u64).put(3, receipt.as_str()),
                ItemStatus::Duplicate { receipt } => m.put(2, 2u64).put(3, receipt.as_str()),
                ItemStatus::Rejected { reason } => m.put(2, 3u64).put(4, reason.as_str()),
            }
            .build()
        })
        .collect();
    to_cbor(&Value::Array(arr))
}

/// Decodes an ingest response.
pub fn decode_response(bytes: &[u8]) -> Result<Vec<IngestResult>> {
    let Value::Array(arr) = from_cbor(bytes).map_err(|_| NetError::Protocol("response body"))?
    else {
        return Err(NetError::Protocol("response body").into());
    };
    arr.into_iter()
        .map(|v| {
            let mut r =
                MapReader::new(v, "ingest result").map_err(|_| NetError::Protocol("result"))?;
            let parse = |r: &mut MapReader| -> Result<IngestResult> {
                let idempotency_key = r.bytes(1, "idempotency key", IDEMPOTENCY_KEY_LEN)?;
                let status = match r.u64(2, "status")? {
                    1 => ItemStatus::Accepted {
                        receipt: r.text(3, "receipt", 64)?,
                    },
                    2 => ItemStatus::Duplicate {
                        receipt: r.text(3, "receipt", 64)?,
                    },
                    3 => ItemStatus::Rejected {
                        reason: r.text(4, "reason", 200)?,
                    },
                    _ => return Err(Error::Format(FormatError::InvalidField("status"))),
                };
                Ok(IngestResult {
                    idempotency_key,
                    status,
                })
            };
            parse(&mut r).map_err(|_| Error::Net(NetError::Protocol("result")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_response_round_trip() {
        let items = vec![IngestItem {
            idempotency_key: vec![1; 16],
            kind: ItemKind::Declaration,
            body: vec![9, 9, 9],
        }];
        assert_eq!(
            decode_request(&encode_request(&items).unwrap()).unwrap(),
            items
        );
        let results = vec![
            IngestResult {
                idempotency_key: vec![1; 16],
                status: ItemStatus::Accepted {
                    receipt: "r1".into(),
                },
            },
            IngestResult {
                idempotency_key: vec![2; 16],
                status: ItemStatus::Rejected {
                    reason: "bad seal".into(),
                },
            },
        ];
        assert_eq!(
            decode_response(&encode_response(&results).unwrap()).unwrap(),
            results
        );
    }

    #[test]
    fn short_idempotency_key_is_rejected() {
        let items = vec![IngestItem {
            idempotency_key: vec![1; 15],
            kind: ItemKind::Declaration,
            body: vec![],
        }];
        assert!(decode_request(&encode_request(&items).unwrap()).is_err());
    }
}
