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

/// Most fields one item's map may hold (three are defined; later versions may add some).
const MAX_ITEM_FIELDS: u64 = 8;

/// The length of the largest legal request body: [`MAX_BATCH`] items, each a map of an
/// idempotency key, a kind and a body of [`MAX_ITEM_BODY`] bytes, in an array.
pub const MAX_REQUEST_BYTES: usize = 3 + MAX_BATCH * (1 + 18 + 2 + 1 + 5 + MAX_ITEM_BODY);

/// Checks the shape of a request's CBOR without allocating: an array of at most
/// [`MAX_BATCH`] maps whose keys and values are integers or strings, nothing nested deeper.
/// A body that declares a million items, or nests arrays inside an item, is refused from
/// its headers before a decoder builds anything from it.
fn check_request_shape(bytes: &[u8]) -> Result<()> {
    let malformed = || Error::Format(FormatError::Malformed("ingest request"));
    let mut at = 0usize;
    let (major, items) = cbor_head(bytes, &mut at).ok_or_else(malformed)?;
    if major != 4 {
        return Err(malformed());
    }
    if items > MAX_BATCH as u64 {
        return Err(FormatError::InvalidField("batch size").into());
    }
    for _ in 0..items {
        match cbor_head(bytes, &mut at) {
            Some((5, fields)) if fields <= MAX_ITEM_FIELDS => {
                for _ in 0..fields * 2 {
                    match cbor_head(bytes, &mut at) {
                        Some((0 | 1, _)) => {}
                        Some((2 | 3, len)) => {
                            at = usize::try_from(len)
                                .ok()
                                .and_then(|len| at.checked_add(len))
                                .filter(|end| *end <= bytes.len())
                                .ok_or_else(malformed)?;
                        }
                        _ => return Err(malformed()),
                    }
                }
            }
            _ => return Err(malformed()),
        }
    }
    Ok(())
}

/// The item count a request's first bytes declare, once its array head has arrived: lets
/// the server refuse a body announcing more than [`MAX_BATCH`] items before reading the
/// rest. `None` while the head is incomplete or when the body is not an array.
pub fn declared_batch_len(prefix: &[u8]) -> Option<u64> {
    match cbor_head(prefix, &mut 0) {
        Some((4, n)) => Some(n),
        _ => None,
    }
}

/// One CBOR head at `*at`: (major type, argument), moving `*at` past it; `None` when it is
/// cut short or has an indefinite length.
fn cbor_head(bytes: &[u8], at: &mut usize) -> Option<(u8, u64)> {
    let first = *bytes.get(*at)?;
    let extra = match first & 0x1f {
        n @ 0..=23 => {
            *at += 1;
            return Some((first >> 5, u64::from(n)));
        }
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        _ => return None,
    };
    let arg = bytes.get(*at + 1..*at + 1 + extra)?;
    *at += 1 + extra;
    Some((
        first >> 5,
        arg.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)),
    ))
}

/// Decodes an ingest request, enforcing the batch and item limits. The shape is checked
/// first ([`check_request_shape`]), so no body makes the decoder allocate more than the
/// largest legal batch needs.
pub fn decode_request(bytes: &[u8]) -> Result<Vec<IngestItem>> {
    check_request_shape(bytes)?;
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
    fn the_largest_legal_batch_fits_and_hostile_shapes_are_refused_from_headers() {
        let item = IngestItem {
            idempotency_key: vec![7; IDEMPOTENCY_KEY_LEN],
            kind: ItemKind::Declaration,
            body: vec![0; MAX_ITEM_BODY],
        };
        let largest = encode_request(&vec![item; MAX_BATCH]).unwrap();
        assert_eq!(largest.len(), MAX_REQUEST_BYTES);
        assert_eq!(decode_request(&largest).unwrap().len(), MAX_BATCH);
        assert_eq!(declared_batch_len(&largest[..3]), Some(MAX_BATCH as u64));
        assert_eq!(declared_batch_len(&largest[..2]), None);
        // An array header claiming 2^32 items, with nothing behind it: refused as too large.
        let huge = [0x9a, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(
            decode_request(&huge),
            Err(Error::Format(FormatError::InvalidField("batch size")))
        ));
        // One item that is an array of a million zeros, or arrays nested 10,000 deep.
        let mut nested_zeros = vec![0x81, 0x9a, 0x00, 0x0f, 0x42, 0x40];
        nested_zeros.extend(std::iter::repeat_n(0u8, 1_000_000));
        let mut deep = vec![0x81; 10_000];
        deep.push(0);
        let map_of_arrays = vec![0x81, 0xa1, 0x01, 0x82, 0x00, 0x00];
        for body in [
            nested_zeros,
            deep,
            map_of_arrays,
            vec![0x9f, 0xff],
            vec![0x82, 0xa0],
        ] {
            assert!(matches!(
                decode_request(&body),
                Err(Error::Format(FormatError::Malformed(_)))
            ));
        }
    }

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
